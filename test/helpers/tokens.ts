/**
 * Tokens obtained the way an operator does: from the control plane's API on localhost (admin by default).
 */
export interface HasApi {
  readonly apiUrl: string;
}

async function issue(cp: HasApi, path: string, body: unknown): Promise<string> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST ${path}: ${res.status} ${text}`);
  return text;
}

/** `POST /tokens/dataplane` (Kuma's body: `{name, mesh, tags, type, validFor}`). */
export function dataplaneToken(cp: HasApi, body: { name?: string; mesh?: string; tags?: Record<string, string[]>; type?: string; validFor?: string }): Promise<string> {
  return issue(cp, '/tokens/dataplane', { mesh: 'default', ...body });
}

/** `POST /tokens/zone` with scope `cp`: what a zone control plane presents to the global's KDS server. */
export function zoneToken(global: HasApi, zone: string, scope: string[] = ['cp'], validFor = '24h'): Promise<string> {
  return issue(global, '/tokens/zone', { zone, scope, validFor });
}

/** `POST /tokens/zone-ingress` on the CP the ingress connects to (`zone`: its zone; empty on standalone). */
export function zoneIngressToken(cp: HasApi, zone = ''): Promise<string> {
  return issue(cp, '/tokens/zone-ingress', { zone });
}

/** `POST /tokens/user`. */
export function userToken(cp: HasApi, name: string, groups: string[], validFor = '1h'): Promise<string> {
  return issue(cp, '/tokens/user', { name, groups, validFor });
}

/** The env a zone CP needs to authenticate to `global` as `zone`. */
export async function zoneAuthEnv(global: HasApi, zone: string): Promise<Record<string, string>> {
  return { KUMA_MULTIZONE_ZONE_KDS_AUTH_TOKEN_INLINE: await zoneToken(global, zone) };
}
