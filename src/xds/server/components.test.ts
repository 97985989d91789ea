import { buildRuntime } from '../../core/runtime/bootstrap.js';
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.js';
import { configureLogging } from '../../core/logging.js';
import { DefaultResourceManager } from '../../core/manager/manager-impl.js';
import type { Resource } from '../../core/resources/model.js';
import type { DataplaneInsightSpec, DataplaneSpec } from '../../core/resources/specs.js';
import type { Runtime } from '../../core/runtime/runtime.js';
import { MemoryStore } from '../../plugins/store/memory/memory-store.js';
import { AdsTestClient, CDS, EDS, LDS, ack, decodeResource, node, res, resourceNames } from '../../../test/helpers/ads-client.js';
import { ProxySnapshot } from '../cache/proxy-snapshot.js';
import type { MeshInputs } from '../generator/index.js';
import type { Generators } from '../sync/reconciler.js';
import { runDpServer, runGlobalDpRefusal } from './components.js';
import { GLOBAL_REFUSAL } from './global-refusal.js';

configureLogging('off');

const calls = { sidecar: 0, proxyless: 0 };
const catalogs = new WeakMap<MeshInputs, ProxySnapshot>();
/** Test generators: a cluster + load assignment per dataplane of the mesh; proxyless get one listener per dataplane. */
const fakeGenerators: Generators<MeshInputs> = {
  buildMeshSnapshot: (inputs) => inputs,
  sidecarSnapshot(snap, name) {
    calls.sidecar++;
    if (!snap.dataplanes.some((d) => d.meta.name === name)) throw new Error(`dataplane ${name} not in mesh`);
    return ProxySnapshot.from(snap.dataplanes.flatMap((d) => [res.cluster(d.meta.name), res.cla(d.meta.name, ...portsOf(d))]));
  },
  // Like the real generator: clients with the same policies (here: all) get the same snapshot.
  proxylessSnapshot(snap) {
    let catalog = catalogs.get(snap);
    if (!catalog) {
      calls.proxyless++;
      catalogs.set(snap, (catalog = ProxySnapshot.from(snap.dataplanes.map((d) => res.listener(`${d.meta.name}.mesh`, portsOf(d)[0])))));
    }
    return catalog;
  },
};

function portsOf(d: Resource): number[] {
  return ((d.spec as unknown as DataplaneSpec).networking.inbound ?? []).map((i) => i.port);
}

const dataplane = (port: number): DataplaneSpec => ({
  networking: { address: '10.0.0.1', inbound: [{ port, servicePort: port + 1, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'grpc' } }] },
});

interface Cp {
  readonly rt: Runtime;
  readonly client: AdsTestClient;
  readonly port: number;
  stop(): Promise<void>;
}

const running: Cp[] = [];
afterEach(async () => {
  for (const cp of running.splice(0)) await cp.stop();
});

async function startCp(opts: { global?: boolean; store?: MemoryStore; port?: number; peers?: readonly string[] } = {}): Promise<Cp> {
  const store = opts.store ?? new MemoryStore();
  const manager = new DefaultResourceManager(store, { meshDefaults: false });
  const config = configSchema.parse({
    // Data-plane authentication has its own tests (dp-auth.test.ts, test/e2e/security); these are about serving.
    dpServer: { port: opts.port ?? 0, interface: '127.0.0.1', authn: { dpProxy: { type: 'none' } } },
    xdsServer: { debounce: '10ms', dataplaneStatusFlushInterval: '20ms' },
  });
  const instanceId = `testhost-${running.length}-abc`;
  const alive: ReadonlySet<string> = new Set([instanceId, ...(opts.peers ?? [])]);
  const rt: Runtime = { ...buildRuntime(config, store, { instanceId, ...(opts.peers ? { instances: { alive: () => Promise.resolve(alive) } } : {}) }), manager };
  if (!(await store.find('Mesh', { name: 'default', mesh: '' }))) await manager.create('Mesh', { name: 'default', mesh: '' }, {});
  const ac = new AbortController();
  const server = opts.global ? await runGlobalDpRefusal(rt, ac.signal) : await runDpServer(rt, fakeGenerators, ac.signal);
  const client = new AdsTestClient(`127.0.0.1:${server.port}`);
  const cp: Cp = {
    rt,
    client,
    port: server.port,
    stop: async () => {
      client.close();
      ac.abort();
      await server.stopped;
    },
  };
  running.push(cp);
  return cp;
}

const inlineMetadata = (name: string, port: number) => ({
  'dataplane.resource': JSON.stringify({ type: 'Dataplane', mesh: 'default', name, ...dataplane(port) }),
  version: { kumaDp: { version: '1.1.6' }, envoy: { version: '1.17.0' } },
});

async function insightOf(cp: Cp, name: string): Promise<DataplaneInsightSpec | undefined> {
  return (await cp.rt.store.find('DataplaneInsight', { name, mesh: 'default' }))?.spec;
}

describe('dp-server', () => {
  it('serves a registered dataplane and pushes store changes after the debounce', async () => {
    const cp = await startCp();
    await cp.rt.manager.create('Dataplane', { name: 'dp-1', mesh: 'default' }, dataplane(8080));
    const s = cp.client.sotw();
    s.send({ type_url: CDS, node: node({ id: 'default.dp-1' }) }).send({ type_url: EDS, resource_names: ['dp-1'] });
    const cds = await s.next(CDS);
    expect(resourceNames(cds)).toEqual(['dp-1']);
    s.send(ack(cds)).send(ack(await s.next(EDS), ['dp-1', 'dp-2']));
    s.send(ack(await s.next(EDS), ['dp-1', 'dp-2']));
    await cp.rt.manager.create('Dataplane', { name: 'dp-2', mesh: 'default' }, dataplane(9090));
    const cds2 = await s.next(CDS);
    expect(resourceNames(cds2).sort()).toEqual(['dp-1', 'dp-2']);
    s.send(ack(cds2));
    const eds = await s.next(EDS);
    const ports = eds.resources.map((r) => JSON.stringify(decodeResource(r)));
    expect(ports.join()).toContain('9090');
  });

  it('ends streams of unknown dataplanes and meshes with NOT_FOUND, bad node ids and unknown kinds with INVALID_ARGUMENT', async () => {
    const cp = await startCp();
    const cases: [string, status, string][] = [
      ['default.ghost', status.NOT_FOUND, 'ghost'],
      ['nomesh.dp-1', status.NOT_FOUND, 'nomesh'],
      ['nodot', status.INVALID_ARGUMENT, 'nodot'],
      ['default.dp-1 curl/8.0', status.INVALID_ARGUMENT, 'cannot tell the kind of data plane'],
    ];
    for (const [idAndAgent, code, text] of cases) {
      const [id = '', userAgent] = idAndAgent.split(' ');
      const s = cp.client.sotw();
      s.send({ type_url: CDS, node: node({ id, ...(userAgent ? { userAgent } : {}) }) });
      const st = await s.status();
      expect(st.code, id).toBe(code);
      expect(st.details).toContain(text);
    }
  });

  it('registers an inline dataplane on connect, removes it on disconnect, and records the insight', async () => {
    const cp = await startCp();
    const s = cp.client.sotw();
    s.send({ type_url: CDS, node: node({ id: 'default.web-1', metadata: inlineMetadata('web-1', 7070) }) });
    s.send(ack(await s.next(CDS)));
    expect(await cp.rt.store.find('Dataplane', { name: 'web-1', mesh: 'default' })).toBeDefined();
    await expect.poll(async () => (await insightOf(cp, 'web-1'))?.subscriptions[0]?.status.cds?.responsesAcknowledged).toBe(1);
    const sub = (await insightOf(cp, 'web-1'))?.subscriptions[0];
    expect(sub?.controlPlaneInstanceId).toBe(cp.rt.instanceId);
    expect(sub?.version?.kumaDp).toEqual({ version: '1.1.6' });
    expect(sub?.disconnectTime).toBeUndefined();
    s.close();
    await expect.poll(async () => cp.rt.store.find('Dataplane', { name: 'web-1', mesh: 'default' })).toBeUndefined();
  });

  it('rejects an inline dataplane that does not match the node id or is invalid', async () => {
    const cp = await startCp();
    const s = cp.client.sotw();
    s.send({ type_url: CDS, node: node({ id: 'default.web-1', metadata: inlineMetadata('other', 7070) }) });
    const st = await s.status();
    expect(st.code).toBe(status.INVALID_ARGUMENT);
    const s2 = cp.client.sotw();
    s2.send({ type_url: CDS, node: node({ id: 'default.web-2', metadata: { 'dataplane.resource': '{"networking": 5}' } }) });
    expect((await s2.status()).code).toBe(status.INVALID_ARGUMENT);
  });

  it('keeps an inline dataplane when the control plane shuts down, and marks the subscription disconnected', async () => {
    const store = new MemoryStore();
    const cp = await startCp({ store });
    const s = cp.client.sotw();
    s.send({ type_url: CDS, node: node({ id: 'default.web-1', metadata: inlineMetadata('web-1', 7070) }) });
    s.send(ack(await s.next(CDS)));
    await cp.stop();
    running.splice(running.indexOf(cp), 1);
    expect((await s.status()).code).toBe(status.UNAVAILABLE);
    expect(await store.find('Dataplane', { name: 'web-1', mesh: 'default' })).toBeDefined();
    const sub = (await insightOf(cp, 'web-1'))?.subscriptions[0];
    expect(sub?.disconnectTime).toBeDefined();
  });

  it('closes subscriptions left open by instances that are not alive at start, and keeps a live peer\'s', async () => {
    const store = new MemoryStore();
    const manager = new DefaultResourceManager(store, { meshDefaults: false });
    await manager.create('Mesh', { name: 'default', mesh: '' }, {});
    await manager.create('Dataplane', { name: 'dp-1', mesh: 'default' }, dataplane(8080));
    const open = (id: string, cp: string) => ({ id, controlPlaneInstanceId: cp, connectTime: '2026-01-01T00:00:00Z', status: { total: { responsesSent: 1, responsesAcknowledged: 1, responsesRejected: 0 } } });
    await manager.create('DataplaneInsight', { name: 'dp-1', mesh: 'default' }, {
      subscriptions: [open('a', 'testhost-99-old'), open('b', 'otherhost-1-x'), open('c', 'testhost-7-peer')],
    });
    // A peer on the same host sharing the store (Postgres) is alive; the previous run and the other host's instance are not.
    const cp = await startCp({ store, peers: ['testhost-7-peer'] });
    const subs = (await insightOf(cp, 'dp-1'))?.subscriptions ?? [];
    expect(subs.find((x) => x.id === 'a')?.disconnectTime).toBeDefined();
    expect(subs.find((x) => x.id === 'b')?.disconnectTime).toBeDefined();
    expect(subs.find((x) => x.id === 'c')?.disconnectTime).toBeUndefined();
  });

  it('serves proxyless clients one shared catalog and only the names they request', async () => {
    const cp = await startCp();
    await cp.rt.manager.create('Dataplane', { name: 'a', mesh: 'default' }, dataplane(1000));
    await cp.rt.manager.create('Dataplane', { name: 'b', mesh: 'default' }, dataplane(2000));
    const before = calls.proxyless;
    const streams = ['a', 'b'].map((n) => {
      const s = cp.client.sotw();
      s.send({ type_url: LDS, resource_names: [`${n}.mesh`], node: node({ id: `default.${n}`, userAgent: 'gRPC Node Pure JS' }) });
      return s;
    });
    const [la, lb] = await Promise.all(streams.map((s) => s.next(LDS)));
    expect(resourceNames(la!)).toEqual(['a.mesh']);
    expect(resourceNames(lb!)).toEqual(['b.mesh']);
    expect(calls.proxyless - before).toBe(1);
  });

  it('regenerates sidecars after a change but does not resend unchanged types', async () => {
    const cp = await startCp();
    await cp.rt.manager.create('Dataplane', { name: 'dp-1', mesh: 'default' }, dataplane(8080));
    const s = cp.client.sotw();
    s.send({ type_url: CDS, node: node({ id: 'default.dp-1' }) });
    const cds = await s.next(CDS);
    s.send(ack(cds));
    const before = calls.sidecar;
    // A change that does not alter the generated config (another mesh's resources are not read; a label is).
    await cp.rt.manager.update('Dataplane', { name: 'dp-1', mesh: 'default' }, dataplane(8080), { labels: { x: 'y' } });
    await expect.poll(() => calls.sidecar).toBeGreaterThan(before);
    s.send({ type_url: LDS });
    await s.next(LDS);
    expect(s.received.filter((r) => r.type_url === CDS)).toHaveLength(1);
  });

  it('in global mode refuses every data plane with FAILED_PRECONDITION', async () => {
    const cp = await startCp({ global: true });
    const s = cp.client.sotw();
    s.send({ type_url: CDS, node: node({ id: 'default.dp-1' }) });
    const st = await s.status();
    expect(st.code).toBe(status.FAILED_PRECONDITION);
    expect(st.details).toBe(GLOBAL_REFUSAL);
    const d = cp.client.delta();
    d.send({ type_url: CDS, node: node({ id: 'default.dp-1' }) });
    expect((await d.status()).code).toBe(status.FAILED_PRECONDITION);
  });

  it('fails to start naming the port when it is in use', async () => {
    const cp = await startCp();
    await expect(startCp({ port: cp.port })).rejects.toThrow(new RegExp(`port ${cp.port}`));
  });
});
