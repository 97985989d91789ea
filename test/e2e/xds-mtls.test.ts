import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { TYPE_URLS } from '../../src/xds/resource.js';
import { AdsTestClient, CDS, LDS, ack, decodeResource, node, resourceNames } from '../helpers/ads-client.js';
import { startCp, stopAll } from '../helpers/cp-process.js';
import { dataplaneToken, zoneIngressToken } from '../helpers/tokens.js';

const SDS = TYPE_URLS.secret;

afterAll(async () => {
  await stopAll();
});

const json = { 'content-type': 'application/json' };
const mtlsMesh = (enabled: string, backends: string[]) => ({
  type: 'Mesh',
  name: 'default',
  mtls: { enabledBackend: enabled, backends: backends.map((name) => ({ name, type: 'builtin', dpCert: { rotation: { expiration: '2h' } } })) },
});

/** Dataplanes `backend-N` (port 900N) of service `backend` with the given versions. */
async function putBackends(apiUrl: string, backends: readonly (readonly [string, string])[]): Promise<void> {
  for (const [name, version] of backends) {
    const dp = { type: 'Dataplane', mesh: 'default', name, networking: { address: '127.0.0.1', inbound: [{ port: 9000 + Number(name.slice(-1)), tags: { 'kuma.io/service': 'backend', version } }] } };
    expect((await fetch(`${apiUrl}/meshes/default/dataplanes/${name}`, { method: 'PUT', headers: json, body: JSON.stringify(dp) })).status).toBe(201);
  }
}

/** A TrafficRoute splitting `backend` 50/50 between versions v1 and v2 (two SNI subsets at an ingress). */
async function putBackendSplit(apiUrl: string): Promise<void> {
  const split = {
    type: 'TrafficRoute',
    mesh: 'default',
    name: 'backend-split',
    sources: [{ match: { 'kuma.io/service': '*' } }],
    destinations: [{ match: { 'kuma.io/service': 'backend' } }],
    conf: { split: [{ weight: 50, destination: { 'kuma.io/service': 'backend', version: 'v1' } }, { weight: 50, destination: { 'kuma.io/service': 'backend', version: 'v2' } }] },
  };
  expect((await fetch(`${apiUrl}/meshes/default/traffic-routes/backend-split`, { method: 'PUT', headers: json, body: JSON.stringify(split) })).status).toBe(201);
}

function pemOf(secret: Record<string, unknown>, path: string[]): string {
  let v: unknown = secret;
  for (const p of path) v = (v as Record<string, unknown>)[p];
  return Buffer.from(v as Uint8Array).toString('utf8');
}

describe('mesh mTLS on the built kuma-cp', () => {
  it('generates the builtin CA, gives a sidecar a workload certificate over ADS (SDS) and TLS + RBAC on its inbound; refuses CA switches and CA Secret deletion', async () => {
    const cp = await startCp();
    const put = await fetch(`${cp.apiUrl}/meshes/default`, { method: 'PUT', headers: json, body: JSON.stringify(mtlsMesh('ca-1', ['ca-1'])) });
    expect(put.status).toBe(200);
    const caSecret = (await (await fetch(`${cp.apiUrl}/meshes/default/secrets/default.ca-builtin-cert-ca-1`)).json()) as { data: string };
    const ca = new X509Certificate(Buffer.from(caSecret.data, 'base64'));
    expect(ca.ca).toBe(true);
    expect(ca.subjectAltName).toBe('URI:spiffe://default');

    const dp = { type: 'Dataplane', mesh: 'default', name: 'backend-1', networking: { address: '127.0.0.1', inbound: [{ port: 9000, servicePort: 9001, tags: { 'kuma.io/service': 'backend', version: 'v1' } }] } };
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/backend-1`, { method: 'PUT', headers: json, body: JSON.stringify(dp) })).status).toBe(201);
    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    const s = client.sotw(await dataplaneToken(cp, { name: 'backend-1' }));
    s.send({ type_url: CDS, node: node({ id: 'default.backend-1' }) }).send({ type_url: LDS });
    const cds = await s.next(CDS);
    const lds = await s.next(LDS);
    s.send(ack(cds)).send(ack(lds));
    const listener = decodeResource(lds.resources.find((r) => decodeResource(r)['name'] === 'inbound:127.0.0.1:9000') ?? lds.resources[0]!);
    const chain = (listener['filter_chains'] as Record<string, unknown>[])[0]!;
    expect((chain['filters'] as { name: string }[]).map((f) => f.name)).toEqual(['envoy.filters.network.rbac', 'envoy.filters.network.tcp_proxy']);
    expect((chain['transport_socket'] as { name: string }).name).toBe('envoy.transport_sockets.tls');

    s.send({ type_url: SDS, resource_names: ['identity_cert:secret:default', 'mesh_ca:secret:default'] });
    const sds = await s.next(SDS);
    expect(resourceNames(sds).sort()).toEqual(['identity_cert:secret:default', 'mesh_ca:secret:default']);
    const secrets = new Map(sds.resources.map((r) => decodeResource(r)).map((d) => [String(d['name']), d]));
    const leaf = new X509Certificate(pemOf(secrets.get('identity_cert:secret:default')!, ['tls_certificate', 'certificate_chain', 'inline_bytes']));
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe('URI:spiffe://default/backend, URI:kuma://kuma.io/service/backend, URI:kuma://version/v1');
    const lifetime = new Date(leaf.validTo).getTime() - new Date(leaf.validFrom).getTime();
    expect(Math.abs(lifetime - 2 * 3_600_000)).toBeLessThanOrEqual(11_000);
    expect(new X509Certificate(pemOf(secrets.get('mesh_ca:secret:default')!, ['validation_context', 'trusted_ca', 'inline_bytes'])).fingerprint256).toBe(ca.fingerprint256);
    s.send(ack(sds, ['identity_cert:secret:default', 'mesh_ca:secret:default']));

    const sw = await fetch(`${cp.apiUrl}/meshes/default`, { method: 'PUT', headers: json, body: JSON.stringify(mtlsMesh('ca-2', ['ca-1', 'ca-2'])) });
    expect(sw.status).toBe(400);
    expect(JSON.stringify(await sw.json())).toContain('Changing CA when mTLS is enabled is forbidden');
    const del = await fetch(`${cp.apiUrl}/meshes/default/secrets/default.ca-builtin-key-ca-1`, { method: 'DELETE' });
    expect(del.status).toBe(400);
    expect(((await del.json()) as { details: string }).details).toContain('is currently in use in Mesh "default" in mTLS backend "ca-1"');
    expect((await fetch(`${cp.apiUrl}/meshes/default/secrets/default.ca-builtin-key-ca-1`)).status).toBe(200);
    s.close();
    client.close();
    // The certificate was signed on the runtime's worker pool, which stops with the process.
    expect(await cp.stop()).toBe(0);
    expect(cp.logs().some((l) => l.includes('certificate signing workers stopped'))).toBe(true);
  }, 90_000);

  it('keeps a ZoneIngress\'s availableServices in step with the Dataplanes and serves the ingress (node id .<name>) its SNI filter chains over ADS', async () => {
    const cp = await startCp();
    expect((await fetch(`${cp.apiUrl}/meshes/default`, { method: 'PUT', headers: json, body: JSON.stringify(mtlsMesh('ca-1', ['ca-1'])) })).status).toBe(200);
    const ingress = { type: 'ZoneIngress', name: 'ingress-1', networking: { address: '127.0.0.1', port: 10001, advertisedAddress: '127.0.0.1', advertisedPort: 10001 } };
    expect((await fetch(`${cp.apiUrl}/zoneingresses/ingress-1`, { method: 'PUT', headers: json, body: JSON.stringify(ingress) })).status).toBe(201);
    await putBackends(cp.apiUrl, [['backend-1', 'v1'], ['backend-2', 'v1'], ['backend-3', 'v2']]);
    const available = async (): Promise<unknown> => ((await (await fetch(`${cp.apiUrl}/zoneingresses/ingress-1`)).json()) as { availableServices?: unknown }).availableServices;
    await expect.poll(available, { timeout: 20_000 }).toEqual([
      { mesh: 'default', tags: { 'kuma.io/service': 'backend', version: 'v1' }, instances: 2 },
      { mesh: 'default', tags: { 'kuma.io/service': 'backend', version: 'v2' }, instances: 1 },
    ]);
    await putBackendSplit(cp.apiUrl);

    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    const refused = client.sotw(await dataplaneToken(cp, { name: 'ingress-1' }));
    refused.send({ type_url: CDS, node: node({ id: '.ingress-1' }) });
    expect((await refused.status()).code).toBe(16); // UNAUTHENTICATED: a data-plane token is not a zone-ingress token
    const s = client.sotw(await zoneIngressToken(cp));
    s.send({ type_url: CDS, node: node({ id: '.ingress-1' }) }).send({ type_url: LDS });
    const cds = await s.next(CDS);
    expect(resourceNames(cds)).toEqual(['default:backend']);
    const lds = await s.next(LDS);
    s.send(ack(cds)).send(ack(lds));
    const listener = decodeResource(lds.resources[0]!);
    expect(listener['name']).toBe('inbound:127.0.0.1:10001');
    expect((listener['listener_filters'] as { name: string }[]).map((f) => f.name)).toEqual(['envoy.filters.listener.tls_inspector']);
    const snis = (listener['filter_chains'] as { filter_chain_match: { server_names: string[] } }[]).map((c) => c.filter_chain_match.server_names[0]);
    expect(snis).toEqual(['backend{mesh=default,version=v1}', 'backend{mesh=default,version=v2}', 'backend{mesh=default}']);
    await expect
      .poll(async () => (await fetch(`${cp.apiUrl}/zoneingress-insights/ingress-1`)).status, { timeout: 20_000 })
      .toBe(200);
    s.close();
    client.close();
  }, 90_000);

  it('serves a Kuma 1.1 ingress Dataplane (networking.ingress, node id <mesh>.<name>, ingress-type token) the zone ingress listener over ADS; insights and inspect treat it as an ingress', async () => {
    const cp = await startCp();
    expect((await fetch(`${cp.apiUrl}/meshes/default`, { method: 'PUT', headers: json, body: JSON.stringify(mtlsMesh('ca-1', ['ca-1'])) })).status).toBe(200);
    const ingress = {
      type: 'Dataplane',
      mesh: 'default',
      name: 'ingress-dp',
      networking: { address: '127.0.0.1', ingress: { publicAddress: '127.0.0.1', publicPort: 10002 }, inbound: [{ port: 10002, tags: { 'kuma.io/service': 'ingress' } }] },
    };
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/ingress-dp`, { method: 'PUT', headers: json, body: JSON.stringify(ingress) })).status).toBe(201);
    await putBackends(cp.apiUrl, [['backend-1', 'v1'], ['backend-2', 'v2']]);
    await putBackendSplit(cp.apiUrl);
    const available = async (): Promise<unknown> =>
      ((await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes/ingress-dp`)).json()) as { networking: { ingress: { availableServices?: unknown } } }).networking.ingress.availableServices;
    await expect.poll(available, { timeout: 20_000 }).toEqual([
      { mesh: 'default', tags: { 'kuma.io/service': 'backend', version: 'v1' }, instances: 1 },
      { mesh: 'default', tags: { 'kuma.io/service': 'backend', version: 'v2' }, instances: 1 },
    ]);

    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    // Kuma 1.1: an ingress Dataplane's token is of type ingress; an ordinary data-plane token for its name is refused.
    const refused = client.sotw(await dataplaneToken(cp, { name: 'ingress-dp' }));
    refused.send({ type_url: CDS, node: node({ id: 'default.ingress-dp' }) });
    expect((await refused.status()).code).toBe(16);
    const s = client.sotw(await dataplaneToken(cp, { name: 'ingress-dp', type: 'ingress' }));
    s.send({ type_url: CDS, node: node({ id: 'default.ingress-dp' }) }).send({ type_url: LDS });
    const cds = await s.next(CDS);
    expect(resourceNames(cds)).toEqual(['default:backend']);
    const lds = await s.next(LDS);
    s.send(ack(cds)).send(ack(lds));
    expect(resourceNames(lds)).toEqual(['inbound:127.0.0.1:10002']);
    const listener = decodeResource(lds.resources[0]!);
    expect((listener['listener_filters'] as { name: string }[]).map((f) => f.name)).toEqual(['envoy.filters.listener.tls_inspector']);
    const chains = listener['filter_chains'] as { filter_chain_match: { server_names: string[] }; filters: { name: string }[]; transport_socket?: unknown }[];
    expect(chains.map((c) => c.filter_chain_match.server_names[0])).toEqual(['backend{mesh=default,version=v1}', 'backend{mesh=default,version=v2}', 'backend{mesh=default}']);
    // TLS passes through: tcp_proxy only, no TLS termination, no RBAC
    for (const c of chains) {
      expect(c.filters.map((f) => f.name)).toEqual(['envoy.filters.network.tcp_proxy']);
      expect(c.transport_socket).toBeUndefined();
    }
    s.send({ type_url: TYPE_URLS.clusterLoadAssignment, resource_names: ['default:backend'] });
    const eds = await s.next(TYPE_URLS.clusterLoadAssignment);
    const ports = JSON.stringify(decodeResource(eds.resources[0]!)['endpoints']);
    expect(ports).toContain('9001');
    expect(ports).toContain('9002');
    expect(ports).not.toContain('10002');
    s.send(ack(eds, ['default:backend']));

    // A new service anywhere reaches the ingress's chains.
    const redis = { type: 'Dataplane', mesh: 'default', name: 'redis-1', networking: { address: '127.0.0.1', inbound: [{ port: 9003, tags: { 'kuma.io/service': 'redis' } }] } };
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/redis-1`, { method: 'PUT', headers: json, body: JSON.stringify(redis) })).status).toBe(201);
    const next = await s.next(LDS);
    const snis = (decodeResource(next.resources[0]!)['filter_chains'] as { filter_chain_match: { server_names: string[] } }[]).map((c) => c.filter_chain_match.server_names[0]);
    expect(snis).toContain('redis{mesh=default}');
    s.send(ack(next));

    // Insights and inspect: online, listed as an ingress, its config dump is the ingress listener.
    await expect
      .poll(async () => ((await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes+insights/ingress-dp`)).json()) as { dataplaneInsight?: { subscriptions?: unknown[] } }).dataplaneInsight?.subscriptions?.length, { timeout: 20_000 })
      .toBe(1);
    const ingresses = (await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes+insights?ingress=true`)).json()) as { items: { name: string }[] };
    expect(ingresses.items.map((i) => i.name)).toEqual(['ingress-dp']);
    const dump = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/ingress-dp/xds`);
    expect(dump.status).toBe(200);
    expect(JSON.stringify(await dump.json())).toContain('backend{mesh=default,version=v1}');
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/ingress-dp/policies`)).status).toBe(200);
    s.close();
    client.close();
    expect(await cp.stop()).toBe(0);
  }, 90_000);
});
