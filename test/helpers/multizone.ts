/**
 * Shared set-up of multizone e2e tests: zone control planes started against a global with a zone token,
 * JSON over the API, and polling until the eventually-consistent sync shows what a test waits for.
 */
import { startCp, type CpOptions, type CpProcess } from './cp-process.js';
import { encodeQuery, udpQuery } from './dns-client.js';
import { zoneAuthEnv } from './tokens.js';

/** Polls `check` until it is true (an exception counts as false); throws naming `what` and the last error. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export function putJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
}

/** Data-plane insights flushed every 100 ms, so tests see a connected proxy quickly. */
export const ZONE_ENV = { KUMA_XDS_SERVER_DATAPLANE_STATUS_FLUSH_INTERVAL: '100ms' };

/** A zone CP (`--mode zone`) dialing `global`'s KDS port with a zone token from it; resolves once connected. */
export async function startZone(zone: string, global: CpProcess, opts: Pick<CpOptions, 'env' | 'mode'> = {}): Promise<CpProcess> {
  const auth = await zoneAuthEnv(global, zone);
  const cp = await startCp({ mode: opts.mode ?? 'zone', zone, globalAddress: `grpc://127.0.0.1:${global.ports.kds ?? 0}`, env: { ...ZONE_ENV, ...auth, ...opts.env } });
  await cp.waitForLog(/"msg":"connected to global"/);
  return cp;
}

/** The A records a control plane's DNS server gives for `name`. */
export async function dnsA(cp: CpProcess, name: string): Promise<string[]> {
  const reply = await udpQuery(cp.ports.dnsUdp ?? 0, encodeQuery(name));
  return (reply.answers ?? []).flatMap((a) => (a.type === 'A' ? [a.data] : []));
}
