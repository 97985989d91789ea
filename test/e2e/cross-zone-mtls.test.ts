import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyMessage, DiscoveryRequest, DiscoveryResponse } from '../../src/grpc/discovery-service.js';
import { TYPE_URLS } from '../../src/xds/resource.js';
import { AdsTestClient, CDS, EDS, LDS, ack, decodeResource, node, resourceNames, type TestStream } from '../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { dnsA, eventually, getJson, putJson, startZone } from '../helpers/multizone.js';
import { dataplaneToken, zoneIngressToken } from '../helpers/tokens.js';

/**
 * Issue 9 acceptance, as a new user would try it: a global and two zones, each its own process and SQLite
 * file, zones authenticated with zone tokens over real KDS. mTLS enabled on the global's mesh reaches both
 * zones (one CA); `backend` runs only in zone-2 behind a ZoneIngress; a sidecar in zone-1 reaches it through
 * zone-2's ingress advertised address with Kuma's SNI; disabling zone-2 on the global takes those endpoints away.
 */
const SDS = TYPE_URLS.secret;
type Ads = TestStream<DiscoveryRequest, DiscoveryResponse>;
const CA_CERT = 'default.ca-builtin-cert-ca-1';
const INGRESS = { address: '127.0.0.1', port: 10002, advertisedAddress: '192.0.2.2', advertisedPort: 10443 };

let global: CpProcess;
let zone1: CpProcess;
let zone2: CpProcess;
const clients: AdsTestClient[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  await stopAll();
});

async function ok(res: Promise<Response>): Promise<void> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${r.url}: ${r.status} ${await r.text()}`);
}

const status = async (url: string): Promise<number> => (await fetch(url)).status;
const secretData = async (cp: CpProcess, name: string): Promise<string> => (await getJson<{ data: string }>(`${cp.apiUrl}/meshes/default/secrets/${name}`)).data;

/** An ADS stream as Envoy opens it: token in `authorization`, CDS + LDS wildcard, then the named EDS and SDS. */
function connect(cp: CpProcess, nodeId: string, token: string): Ads {
  const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer ?? 0}`);
  clients.push(client);
  const s = client.sotw(token);
  s.send({ type_url: CDS, node: node({ id: nodeId }) }).send({ type_url: LDS });
  return s;
}

const decoded = (res: DiscoveryResponse, name: string): Record<string, unknown> => {
  const r = res.resources.map(decodeResource).find((d) => (d['name'] ?? d['cluster_name']) === name);
  if (!r) throw new Error(`${name} not in ${resourceNames(res).join(', ')}`);
  return r;
};
const inner = (any: unknown): Record<string, unknown> => decodeResource(any as AnyMessage);

/** The certificate in an SDS identity secret. */
function leafOf(sds: DiscoveryResponse): X509Certificate {
  const secret = decoded(sds, 'identity_cert:secret:default') as { tls_certificate: { certificate_chain: { inline_bytes: Uint8Array } } };
  return new X509Certificate(Buffer.from(secret.tls_certificate.certificate_chain.inline_bytes));
}

/** A decoded google.protobuf.Struct of strings as a plain object. */
function stringsOf(struct: unknown): Record<string, string> {
  const fields = (struct as { fields?: Record<string, { string_value?: string; stringValue?: string }> } | undefined)?.fields ?? {};
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.string_value ?? v.stringValue ?? '']));
}

/** (address:port, weight, tags) of every endpoint of a ClusterLoadAssignment. */
function endpointsOf(cla: Record<string, unknown>): { at: string; weight: number; zone: string; priority: number; tags: unknown }[] {
  const localities = (cla['endpoints'] ?? []) as {
    locality?: { zone?: string };
    priority?: number;
    lb_endpoints: { endpoint: { address: { socket_address: { address: string; port_value: number } } }; load_balancing_weight: { value: number }; metadata?: { filter_metadata: Record<string, unknown> } }[];
  }[];
  return localities.flatMap((l) =>
    l.lb_endpoints.map((e) => ({
      at: `${e.endpoint.address.socket_address.address}:${e.endpoint.address.socket_address.port_value}`,
      weight: e.load_balancing_weight.value,
      zone: l.locality?.zone ?? '',
      priority: l.priority ?? 0,
      tags: stringsOf(e.metadata?.filter_metadata['envoy.lb']),
    })),
  );
}

/** The next EDS response of the stream that carries `cluster`, acknowledged. */
async function nextCla(s: Ads, cluster: string): Promise<Record<string, unknown>> {
  for (;;) {
    const eds = await s.next(EDS, 30_000);
    s.send(ack(eds, [cluster]));
    const cla = eds.resources.map(decodeResource).find((d) => d['cluster_name'] === cluster);
    if (cla) return cla;
  }
}

beforeAll(async () => {
  global = await startCp({ mode: 'global' });
  [zone1, zone2] = await Promise.all([startZone('zone-1', global), startZone('zone-2', global)]);
  for (const z of [zone1, zone2]) await eventually(async () => (await status(`${z.apiUrl}/meshes/default`)) === 200, 'mesh default on the zone');
}, 90_000);

describe('zero-trust and cross-zone: a global and two zones (separate processes, SQLite files, zone tokens, KDS)', () => {
  it('mTLS enabled on the global reaches both zones with one CA; the CA Secrets go to every zone, token signing keys to none', async () => {
    const mesh = { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };
    await ok(putJson(`${global.apiUrl}/meshes/default`, mesh));
    // A signing key stored on the global (as an operator could): token material never leaves its CP.
    const key = { type: 'Secret', mesh: 'default', name: 'dataplane-token-signing-key-default-9', data: Buffer.from('private').toString('base64') };
    await ok(putJson(`${global.apiUrl}/meshes/default/secrets/${key.name}`, key));
    const ca = await secretData(global, CA_CERT);
    for (const z of [zone1, zone2]) {
      await eventually(async () => (await getJson<{ mtls?: { enabledBackend?: string } }>(`${z.apiUrl}/meshes/default`)).mtls?.enabledBackend === 'ca-1', 'mTLS on the zone');
      await eventually(async () => (await secretData(z, CA_CERT)) === ca, 'the global CA on the zone');
      expect(await secretData(z, 'default.ca-builtin-key-ca-1')).toBe(await secretData(global, 'default.ca-builtin-key-ca-1'));
      expect(await status(`${z.apiUrl}/meshes/default/secrets/${key.name}`)).toBe(404);
    }
  }, 60_000);

  it("backend runs only in zone-2 behind a ZoneIngress: zone-1's sidecar reaches it at the ingress advertised address with SNI backend{mesh=default}; zone-2's ingress gets the SNI chain; both zones' certificates chain to the global's CA", async () => {
    const caCert = new X509Certificate(Buffer.from(await secretData(global, CA_CERT), 'base64'));
    const ingress = { type: 'ZoneIngress', name: 'ingress-2', zone: 'zone-2', networking: INGRESS };
    await ok(putJson(`${zone2.apiUrl}/zoneingresses/ingress-2`, ingress));
    const backend = {
      type: 'Dataplane',
      mesh: 'default',
      name: 'backend-1',
      networking: { address: '127.0.0.1', inbound: [{ port: 9000, servicePort: 9001, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http', version: 'v1' } }] },
    };
    await ok(putJson(`${zone2.apiUrl}/meshes/default/dataplanes/backend-1`, backend));
    const web = {
      type: 'Dataplane',
      mesh: 'default',
      name: 'web-1',
      networking: { address: '127.0.0.1', inbound: [{ port: 9100, tags: { 'kuma.io/service': 'web' } }], outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }] },
    };
    await ok(putJson(`${zone1.apiUrl}/meshes/default/dataplanes/web-1`, web));

    // zone-2's leader counts the backend instance; KDS carries the ingress to the global and on to zone-1.
    const expected = [{ mesh: 'default', tags: { 'kuma.io/protocol': 'http', 'kuma.io/service': 'backend', version: 'v1' }, instances: 1 }];
    await eventually(
      async () => {
        expect((await getJson<{ availableServices?: unknown }>(`${zone1.apiUrl}/zoneingresses/zone-2.ingress-2`)).availableServices).toEqual(expected);
        return true;
      },
      'zone-2.ingress-2 with backend on zone-1',
      30_000,
    );

    // zone-2's ingress proxy (zone-ingress token issued by zone-2) gets one SNI filter chain for backend.
    const ing = connect(zone2, '.ingress-2', await zoneIngressToken(zone2, 'zone-2'));
    const ingLds = await ing.next(LDS, 30_000);
    const listener = decoded(ingLds, `inbound:${INGRESS.address}:${INGRESS.port}`) as { filter_chains: { filter_chain_match: { server_names: string[] } }[] };
    expect(listener.filter_chains.map((c) => c.filter_chain_match.server_names)).toEqual([['backend{mesh=default}']]);

    // The backend sidecar in zone-2 gets a certificate signed by the global's CA.
    const be = connect(zone2, 'default.backend-1', await dataplaneToken(zone2, { name: 'backend-1' }));
    be.send({ type_url: SDS, resource_names: ['identity_cert:secret:default', 'mesh_ca:secret:default'] });
    const beLeaf = leafOf(await be.next(SDS, 30_000));
    expect(beLeaf.verify(caCert.publicKey)).toBe(true);
    expect(beLeaf.subjectAltName).toContain('URI:spiffe://default/backend');

    // zone-1's web sidecar: cluster backend with mTLS SNI, EDS at zone-2's ingress, its own certificate from the same CA.
    const s = connect(zone1, 'default.web-1', await dataplaneToken(zone1, { name: 'web-1' }));
    const cds = await s.next(CDS, 30_000);
    s.send(ack(cds));
    const cluster = decoded(cds, 'backend') as { transport_socket: { typed_config: unknown } };
    const tls = inner(cluster.transport_socket.typed_config) as { sni: string; common_tls_context: unknown };
    expect(tls.sni).toBe('backend{mesh=default}');
    expect(JSON.stringify(tls.common_tls_context)).toContain('spiffe://default/backend');
    s.send({ type_url: EDS, resource_names: ['backend'] });
    const cla = await nextCla(s, 'backend');
    expect(endpointsOf(cla)).toEqual([
      { at: `${INGRESS.advertisedAddress}:${INGRESS.advertisedPort}`, weight: 1, zone: 'zone-2', priority: 0, tags: { 'kuma.io/protocol': 'http', version: 'v1', 'kuma.io/zone': 'zone-2' } },
    ]);
    s.send({ type_url: SDS, resource_names: ['identity_cert:secret:default', 'mesh_ca:secret:default'] });
    const webLeaf = leafOf(await s.next(SDS, 30_000));
    expect(webLeaf.verify(caCert.publicKey)).toBe(true);
    expect(webLeaf.subjectAltName).toContain('URI:spiffe://default/web');

    // backend.mesh resolves on zone-1's DNS although no backend runs there.
    await eventually(async () => (await dnsA(zone1, 'backend.mesh')).length === 1, 'backend.mesh on zone-1');

    // Disabling zone-2 on the global: its ingress leaves zone-1, and with it the endpoints.
    await ok(putJson(`${global.apiUrl}/zones/zone-2`, { type: 'Zone', name: 'zone-2', enabled: false }));
    await eventually(async () => (await status(`${zone1.apiUrl}/zoneingresses/zone-2.ingress-2`)) === 404, "zone-2's ingress gone from zone-1", 30_000);
    for (;;) {
      const next = await nextCla(s, 'backend');
      if (endpointsOf(next).length === 0) break;
    }
    for (const t of [ing, be, s]) t.close();
  }, 180_000);
});
