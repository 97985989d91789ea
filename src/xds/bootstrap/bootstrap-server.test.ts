import { createPrivateKey, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../config/schema.js';
import { buildRuntime } from '../../core/runtime/bootstrap.js';
import { BindError } from '../../core/runtime/listen.js';
import type { Runtime } from '../../core/runtime/runtime.js';
import { MemoryStore } from '../../plugins/store/memory/memory-store.js';
import { issueDataplaneToken } from '../../core/tokens/dataplane-token.js';
import { issueZoneIngressToken } from '../../core/tokens/zone-ingress-token.js';
import { bootstrapComponents } from './bootstrap-server.js';
import type { GrpcBootstrap } from './grpc-bootstrap.js';
import { freePort } from '../../../test/helpers/free-port.js';

/** The parts of the Envoy bootstrap YAML these tests read. */
interface EnvoyBootstrapDoc {
  admin: { address: { socket_address: { address: string; port_value: number } } };
  node: { id: string; cluster: string; metadata: Record<string, unknown> };
  static_resources: { clusters: { load_assignment: { endpoints: { lb_endpoints: { endpoint: { address: { socket_address: unknown } } }[] }[] } }[] };
  dynamic_resources: { ads_config: { grpc_services: { initial_metadata: unknown }[] } };
}
const parseBootstrap = (yaml: string): EnvoyBootstrapDoc => parse(yaml) as EnvoyBootstrapDoc;

interface Started {
  rt: Runtime;
  url: string;
  stop: () => Promise<void>;
}

const running: Started[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

/** Starts on a probed free port; a port taken between probe and bind (parallel tests) is retried. */
async function start(config: Record<string, unknown> = {}, xdsPort?: number, bootstrap: Record<string, unknown> = {}): Promise<Started> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const rt = buildRuntime(
      configSchema.parse({ bootstrapServer: { port, interface: '127.0.0.1', ...bootstrap }, dpServer: { port: 5678, interface: '127.0.0.1', authn: { dpProxy: { type: 'none' } } }, ...config }),
      new MemoryStore(),
    );
    await rt.manager.create('Mesh', { name: 'default', mesh: '' }, {});
    const [component] = bootstrapComponents(rt, xdsPort ? { xdsPort: () => xdsPort } : {});
    const abort = new AbortController();
    let resolveReady!: () => void;
    const readyP = new Promise<void>((r) => (resolveReady = r));
    const done = component!.start(abort.signal, resolveReady);
    try {
      await Promise.race([readyP, done]);
    } catch (err) {
      if (err instanceof BindError && attempt < 5) continue;
      throw err;
    }
    const started = { rt, url: `http://127.0.0.1:${port}`, stop: async () => (abort.abort(), await done) };
    running.push(started);
    return started;
  }
}

const post = (url: string, body: unknown) =>
  fetch(`${url}/bootstrap`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });

const dataplane = { networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web', 'kuma.io/protocol': 'http' } }] } };

describe('POST /bootstrap', () => {
  it('returns Envoy YAML for an existing Dataplane with ads_cluster pointing at the request host and dp-server port', async () => {
    const s = await start();
    await s.rt.manager.create('Dataplane', { name: 'web-1', mesh: 'default' }, dataplane);
    const res = await post(s.url, { mesh: 'default', name: 'web-1', adminPort: 9901, version: { kumaDp: { version: '1.1.6' } } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/x-yaml');
    expect(res.headers.get('kuma-bootstrap-version')).toBe('3');
    const doc = parseBootstrap(await res.text());
    expect(doc.node).toMatchObject({ id: 'default.web-1', cluster: 'web', metadata: { 'dataplane.admin.port': '9901', version: { kumaDp: { version: '1.1.6' } } } });
    const ads = doc.static_resources.clusters[0];
    expect(ads).toMatchObject({ name: 'ads_cluster', type: 'STRICT_DNS' });
    expect(ads?.load_assignment.endpoints[0]?.lb_endpoints[0]?.endpoint.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 5678 });
    expect(doc.dynamic_resources.ads_config).toMatchObject({ api_type: 'GRPC', transport_api_version: 'V3' });
  });

  it("takes Envoy's admin port from the Dataplane's networking.admin.port, over the one kuma-dp asks for (Kuma 1.5+)", async () => {
    const s = await start();
    await s.rt.manager.create('Dataplane', { name: 'web-1', mesh: 'default' }, { networking: { ...dataplane.networking, admin: { port: 9911 } } });
    await s.rt.manager.create('Dataplane', { name: 'web-2', mesh: 'default' }, dataplane);
    const fromResource = parseBootstrap(await (await post(s.url, { mesh: 'default', name: 'web-1', adminPort: 9901 })).text());
    expect(fromResource.admin.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 9911 });
    expect(fromResource.node.metadata['dataplane.admin.port']).toBe('9911');
    const fromRequest = parseBootstrap(await (await post(s.url, { mesh: 'default', name: 'web-2', adminPort: 9905 })).text());
    expect(fromRequest.admin.address.socket_address.port_value).toBe(9905);
    const byDefault = parseBootstrap(await (await post(s.url, { mesh: 'default', name: 'web-2' })).text());
    expect(byDefault.node.metadata['dataplane.admin.port']).toBe('9901');
  });

  it('uses xdsHost/xdsPort from the config, then the bound dp-server port', async () => {
    const s = await start({}, 15678, { xdsHost: 'cp.example', xdsPort: 0 });
    const res = await post(s.url, { mesh: 'default', name: 'gw', dataplaneResource: 'type: Dataplane\nmesh: default\nname: gw\nnetworking:\n  address: 10.0.0.9\n  gateway:\n    tags:\n      kuma.io/service: edge\n' });
    expect(res.status).toBe(200);
    const doc = parseBootstrap(await res.text());
    expect(doc.node.cluster).toBe('edge');
    expect(doc.node.metadata['dataplane.resource']).toContain('kuma.io/service: edge');
    expect(doc.static_resources.clusters[0]?.load_assignment.endpoints[0]?.lb_endpoints[0]?.endpoint.address.socket_address).toEqual({
      address: 'cp.example',
      port_value: 15678,
    });
  });

  it('answers errors the way kuma-dp expects', async () => {
    const s = await start();
    expect((await post(s.url, '{not json')).status).toBe(400);
    expect((await post(s.url, { name: 'x' })).status).toBe(400);
    const noMesh = await post(s.url, { mesh: 'nope', name: 'x' });
    expect(noMesh.status).toBe(422);
    expect(await noMesh.text()).toBe('mesh "nope" does not exist\n');
    const noDp = await post(s.url, { mesh: 'default', name: 'ghost' });
    expect(noDp.status).toBe(404);
    expect(await noDp.text()).toMatch(/^Dataplane entity not found/);
    expect((await post(s.url, { mesh: 'default', name: 'x', dataplaneResource: '- just a list' })).status).toBe(422);
    expect((await post(s.url, { mesh: 'default', name: 'x', dataplaneResource: '{"name":"y","networking":{"address":"1.1.1.1"}}' })).status).toBe(422);
    expect((await fetch(`${s.url}/bootstrap`)).status).toBe(405);
    expect((await fetch(`${s.url}/other`)).status).toBe(404);
    expect((await post(s.url, 'x'.repeat(1024 * 1024 + 1))).status).toBe(413);
  });
});

describe('POST /bootstrap for a zone ingress (proxyType ingress, no mesh)', () => {
  const ingress = { zone: '', networking: { address: '127.0.0.1', port: 10001, advertisedAddress: '192.0.2.2', advertisedPort: 10001 } };

  it('serves node .<name> for a ZoneIngress of this control plane, and refuses what is not one', async () => {
    const s = await start();
    expect((await post(s.url, { mesh: '', name: 'ingress-1', proxyType: 'ingress' })).status).toBe(404);
    await s.rt.manager.create('ZoneIngress', { name: 'ingress-1', mesh: '' }, ingress);
    const res = await post(s.url, { mesh: '', name: 'ingress-1', proxyType: 'ingress', adminPort: 9902 });
    expect(res.status).toBe(200);
    expect(parseBootstrap(await res.text()).node).toMatchObject({ id: '.ingress-1', cluster: 'ingress', metadata: { 'dataplane.admin.port': '9902' } });
    expect((await post(s.url, { mesh: '', name: 'ingress-1' })).status).toBe(400);
    expect((await post(s.url, { mesh: 'default', name: 'ingress-1', proxyType: 'ingress' })).status).toBe(400);
  });

  it('requires a zone-ingress token of this control plane: a data-plane token or none is refused', async () => {
    const s = await start({ dpServer: { port: 5678, interface: '127.0.0.1', authn: { dpProxy: { type: 'dpToken' } } } });
    await s.rt.manager.create('ZoneIngress', { name: 'ingress-1', mesh: '' }, ingress);
    const none = await post(s.url, { mesh: '', name: 'ingress-1', proxyType: 'ingress' });
    expect(none.status).toBe(401);
    expect(await none.text()).toMatch(/no zone-ingress token/);
    const dpToken = await issueDataplaneToken(s.rt.manager, { mesh: 'default', name: 'ingress-1', type: 'ingress' });
    expect((await post(s.url, { mesh: '', name: 'ingress-1', proxyType: 'ingress', dataplaneToken: dpToken })).status).toBe(401);
    const token = await issueZoneIngressToken(s.rt.manager, {}, '');
    const ok = await post(s.url, { mesh: '', name: 'ingress-1', proxyType: 'ingress', dataplaneToken: token });
    expect(ok.status).toBe(200);
    expect(parseBootstrap(await ok.text()).dynamic_resources.ads_config.grpc_services[0]?.initial_metadata).toEqual([{ key: 'authorization', value: token }]);
  });
});

describe('GET /bootstrap/grpc', () => {
  it('inlines a gateway Dataplane when none exists', async () => {
    const s = await start({ mode: 'remote', multizone: { remote: { zone: 'zone-1', globalAddress: 'grpcs://g:5685' } } });
    const res = await fetch(`${s.url}/bootstrap/grpc?mesh=default&name=client-1&service=frontend`);
    expect(res.status).toBe(200);
    const b = (await res.json()) as GrpcBootstrap;
    expect(b.xds_servers).toEqual([{ server_uri: '127.0.0.1:5678', channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }]);
    expect(b.node).toMatchObject({ id: 'default.client-1', cluster: 'frontend', locality: { zone: 'zone-1' } });
    expect((JSON.parse(b.node.metadata['dataplane.resource'] ?? '{}') as { networking: { gateway: { tags: unknown } } }).networking.gateway.tags).toEqual({ 'kuma.io/service': 'frontend' });
  });

  it('refers to an existing Dataplane without inlining it', async () => {
    const s = await start();
    await s.rt.manager.create('Dataplane', { name: 'web-1', mesh: 'default' }, dataplane);
    const b = (await (await fetch(`${s.url}/bootstrap/grpc?mesh=default&name=web-1`)).json()) as GrpcBootstrap;
    expect(b.node).toEqual({ id: 'default.web-1', cluster: 'web', locality: { zone: '' }, metadata: { 'kuma.io/proxy-kind': 'proxyless' } });
  });

  it('refuses missing parameters and unknown meshes', async () => {
    const s = await start();
    expect((await fetch(`${s.url}/bootstrap/grpc?mesh=default`)).status).toBe(400);
    expect((await fetch(`${s.url}/bootstrap/grpc?mesh=nope&name=a`)).status).toBe(422);
  });
});

describe('proxyless mTLS (GET /bootstrap/grpc, GET /bootstrap/grpc/certs)', () => {
  const mtlsMesh = { mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };

  it('an mTLS mesh bootstrap declares the file_watcher provider; certs are issued by the mesh CA for the proxy identity', async () => {
    const s = await start();
    await s.rt.manager.create('Mesh', { name: 'secure', mesh: '' }, mtlsMesh);
    const b = (await (await fetch(`${s.url}/bootstrap/grpc?mesh=secure&name=client-1&service=client&certDir=/etc/kuma/certs`)).json()) as GrpcBootstrap;
    expect(b.server_listener_resource_name_template).toBe('grpc/server?xds.resource.listening_address=%s');
    expect(b.certificate_providers).toEqual({
      'kuma-mesh': {
        plugin_name: 'file_watcher',
        config: { certificate_file: '/etc/kuma/certs/cert.pem', private_key_file: '/etc/kuma/certs/key.pem', ca_certificate_file: '/etc/kuma/certs/ca.pem', refresh_interval: '60s' },
      },
    });
    const res = await fetch(`${s.url}/bootstrap/grpc/certs?mesh=secure&name=client-1&service=client`);
    expect(res.status).toBe(200);
    const certs = (await res.json()) as { certificate: string; privateKey: string; caCertificate: string; expiresAt: string; renewAfter: string };
    const cert = new X509Certificate(certs.certificate);
    const ca = new X509Certificate(certs.caCertificate);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain('URI:spiffe://secure/client');
    expect(createPrivateKey(certs.privateKey).asymmetricKeyType).toBe('ec');
    expect(Date.parse(certs.renewAfter)).toBeLessThan(Date.parse(certs.expiresAt));
    expect(Math.abs(Date.parse(certs.expiresAt) - Date.parse(cert.validTo))).toBeLessThan(1000);
  });

  it('hands a proxy the same certificate until it is due for renewal (one issuer, cached per proxy), another proxy its own', async () => {
    const s = await start();
    await s.rt.manager.create('Mesh', { name: 'secure', mesh: '' }, mtlsMesh);
    const get = async (name: string) => ((await (await fetch(`${s.url}/bootstrap/grpc/certs?mesh=secure&name=${name}&service=client`)).json()) as { certificate: string }).certificate;
    const first = await get('client-1');
    expect(await get('client-1')).toBe(first);
    expect(await get('client-2')).not.toBe(first);
  });

  it('a plaintext mesh declares no certificate provider and issues no certificate; bad certDirs are refused', async () => {
    const s = await start();
    const b = (await (await fetch(`${s.url}/bootstrap/grpc?mesh=default&name=client-1`)).json()) as GrpcBootstrap;
    expect(b.certificate_providers).toBeUndefined();
    expect(b.node.metadata['kuma.io/proxy-kind']).toBe('proxyless');
    const res = await fetch(`${s.url}/bootstrap/grpc/certs?mesh=default&name=client-1`);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('no mTLS backend enabled');
    for (const dir of ['relative/dir', '/etc/../root']) expect((await fetch(`${s.url}/bootstrap/grpc?mesh=default&name=a&certDir=${dir}`)).status, dir).toBe(400);
  });
});

describe('bootstrap-server component', () => {
  it('rejects naming the port when it is taken', async () => {
    const s = await start();
    const port = Number(new URL(s.url).port);
    const [dup] = bootstrapComponents(s.rt);
    await expect(dup!.start(new AbortController().signal, () => undefined)).rejects.toThrow(new RegExp(`port ${port}`));
  });
});
