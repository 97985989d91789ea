import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../core/errors.js';
import { configureLogging, logger } from '../../core/logging.js';
import { StoreView } from '../../core/view/store-view.js';
import { MemoryStore } from '../../plugins/store/memory/memory-store.js';
import { res } from '../../../test/helpers/ads-client.js';
import { ProxySnapshot } from '../cache/proxy-snapshot.js';
import { SnapshotCache } from '../cache/snapshot-cache.js';
import type { MeshInputs } from '../generator/index.js';
import type { ProxyIdentity } from '../server/node-identity.js';
import { Reconciler, type Generators } from './reconciler.js';
import { Metrics } from '../../core/metrics.js';
import { createXdsMetrics } from '../xds-metrics.js';
import { InThreadSigner } from '../../mtls/certificate-signer.js';

configureLogging('off');

async function setup(debounceMs = 5) {
  const store = new MemoryStore();
  const view = new StoreView(store, logger('test'));
  await view.start();
  const cache = new SnapshotCache();
  const builds: string[] = [];
  /** `<mesh>.<name>` of every generateSidecar call, in order. */
  const generated: string[] = [];
  const catalogs = new WeakMap<MeshInputs, Map<string, ProxySnapshot>>();
  const generators: Generators<MeshInputs> = {
    buildMeshSnapshot: (inputs) => {
      builds.push(inputs.mesh.meta.name);
      return inputs;
    },
    sidecarSnapshot: (snap, name) => {
      generated.push(`${snap.mesh.meta.name}.${name}`);
      if (!snap.dataplanes.some((d) => d.meta.name === name)) throw new NotFoundError('Dataplane', name, snap.mesh.meta.name);
      return ProxySnapshot.from(snap.dataplanes.map((d) => res.cluster(d.meta.name)));
    },
    // Like the real generator: one snapshot (the same instance) per distinct source service.
    proxylessSnapshot: (snap, name) => {
      const service = (snap.dataplanes.find((d) => d.meta.name === name)?.spec as { networking: { inbound: { tags: Record<string, string> }[] } } | undefined)?.networking.inbound[0]?.tags['kuma.io/service'];
      if (!service) throw new NotFoundError('Dataplane', name, snap.mesh.meta.name);
      let byService = catalogs.get(snap);
      if (!byService) catalogs.set(snap, (byService = new Map<string, ProxySnapshot>()));
      let catalog = byService.get(service);
      if (!catalog) byService.set(service, (catalog = ProxySnapshot.from(snap.dataplanes.map((d) => res.listener(`${service}->${d.meta.name}`)))));
      return catalog;
    },
    // One listener naming where the ingress listens and what it offers; one cluster per Dataplane of every mesh.
    generateIngress: (snaps, ingress) => [
      res.listener(`${ingress.address}:${ingress.port} ${ingress.availableServices.map((a) => `${a.mesh ?? ''}/${a.tags['kuma.io/service'] ?? ''}`).join(',')}`),
      ...[...snaps.values()].flatMap((snap) => snap.dataplanes.map((d) => res.cluster(`${snap.mesh.meta.name}:${d.meta.name}`))),
    ],
  };
  const reconciler = new Reconciler({ view, cache, generators, debounceMs, log: logger('test'), metrics: new Metrics().of(createXdsMetrics), signer: new InThreadSigner() });
  reconciler.start();
  return { store, cache, builds, generated, reconciler };
}

const proxy = (mesh: string, name: string, kind: ProxyIdentity['kind'] = 'envoy'): ProxyIdentity => ({ key: `${mesh}.${name}`, mesh, name, kind });
const dp = { networking: { address: '10.0.0.1', inbound: [{ port: 1, tags: { 'kuma.io/service': 's' } }] } };

describe('Reconciler', () => {
  it('builds a mesh once per debounce window and only for meshes with connected proxies', async () => {
    const { store, cache, builds, reconciler } = await setup();
    for (const m of ['m1', 'm2']) await store.create('Mesh', { name: m, mesh: '' }, {});
    await store.create('Dataplane', { name: 'a', mesh: 'm1' }, dp);
    await reconciler.add(proxy('m1', 'a'));
    expect(builds).toEqual(['m1']);
    expect((cache.get('m1.a')?.names(res.cluster('x').typeUrl) ?? [])).toEqual(['a']);
    // One commit with several changes (and one in a mesh nobody is connected to): one rebuild of m1.
    await store.transact([
      { op: 'create', type: 'Dataplane', key: { name: 'b', mesh: 'm1' }, spec: dp },
      { op: 'create', type: 'Dataplane', key: { name: 'c', mesh: 'm1' }, spec: dp },
      { op: 'create', type: 'Dataplane', key: { name: 'x', mesh: 'm2' }, spec: dp },
    ]);
    await expect.poll(() => cache.get('m1.a')?.count(res.cluster('x').typeUrl)).toBe(3);
    expect(builds).toEqual(['m1', 'm1']);
  });

  it('regenerates only the proxies of the mesh a change affects, each once per debounce window', async () => {
    const { store, cache, builds, generated, reconciler } = await setup();
    for (const m of ['m1', 'm2']) {
      await store.create('Mesh', { name: m, mesh: '' }, {});
      for (const n of ['a', 'b']) {
        await store.create('Dataplane', { name: n, mesh: m }, dp);
        await reconciler.add(proxy(m, n));
      }
    }
    await reconciler.flush();
    const m2Before = cache.get('m2.a');
    builds.length = 0;
    generated.length = 0;
    await store.create('Dataplane', { name: 'c', mesh: 'm1' }, dp);
    await expect.poll(() => cache.get('m1.a')?.count(res.cluster('x').typeUrl)).toBe(3);
    await reconciler.flush();
    expect(builds).toEqual(['m1']);
    expect(generated.sort()).toEqual(['m1.a', 'm1.b']);
    expect(cache.get('m2.a')).toBe(m2Before);
    reconciler.stop();
  });

  it('a proxy connecting while its mesh has a pending change gets the new state at once, not the stale snapshot', async () => {
    // A debounce longer than any test: the snapshot can only come from add() itself.
    const { store, cache, builds, reconciler } = await setup(3_600_000);
    await store.create('Mesh', { name: 'm1', mesh: '' }, {});
    await store.create('Dataplane', { name: 'a', mesh: 'm1' }, dp);
    await reconciler.add(proxy('m1', 'a'));
    await store.create('Dataplane', { name: 'b', mesh: 'm1' }, dp);
    await reconciler.add(proxy('m1', 'b'));
    expect((cache.get('m1.b')?.names(res.cluster('x').typeUrl) ?? []).sort()).toEqual(['a', 'b']);
    expect((cache.get('m1.a')?.names(res.cluster('x').typeUrl) ?? []).sort()).toEqual(['a', 'b']);
    expect(builds).toEqual(['m1', 'm1']);
    reconciler.stop();
  });

  it('ignores DataplaneInsight writes and drops a proxy snapshot when its last stream leaves', async () => {
    const { store, cache, builds, reconciler } = await setup();
    await store.create('Mesh', { name: 'm1', mesh: '' }, {});
    await store.create('Dataplane', { name: 'a', mesh: 'm1' }, dp);
    await reconciler.add(proxy('m1', 'a'));
    await reconciler.add(proxy('m1', 'a'));
    await store.create('DataplaneInsight', { name: 'a', mesh: 'm1' }, { subscriptions: [] });
    await store.create('Dataplane', { name: 'b', mesh: 'm1' }, dp);
    await expect.poll(() => builds.length).toBe(2);
    reconciler.remove(proxy('m1', 'a'));
    expect(cache.get('m1.a')).toBeDefined();
    reconciler.remove(proxy('m1', 'a'));
    expect(cache.get('m1.a')).toBeUndefined();
  });

  it('shares one proxyless snapshot between the clients that get the same catalog, and only between them', async () => {
    const { store, cache, reconciler } = await setup();
    await store.create('Mesh', { name: 'm1', mesh: '' }, {});
    await store.create('Dataplane', { name: 'a', mesh: 'm1' }, dp);
    await store.create('Dataplane', { name: 'b', mesh: 'm1' }, dp);
    await store.create('Dataplane', { name: 'c', mesh: 'm1' }, { networking: { address: '10.0.0.3', inbound: [{ port: 1, tags: { 'kuma.io/service': 'other' } }] } });
    for (const name of ['a', 'b', 'c']) await reconciler.add(proxy('m1', name, 'proxyless'));
    expect(cache.get('m1.a')).toBeDefined();
    expect(cache.get('m1.a')).toBe(cache.get('m1.b'));
    expect(cache.get('m1.c')).toBeDefined();
    expect(cache.get('m1.c')).not.toBe(cache.get('m1.a'));
  });

  it('generates a Kuma 1.1 ingress Dataplane as a zone ingress, from every mesh, and regroups it when networking.ingress comes or goes', async () => {
    const { store, cache, generated, reconciler } = await setup();
    for (const m of ['m1', 'm2']) await store.create('Mesh', { name: m, mesh: '' }, {});
    await store.create('Dataplane', { name: 'a', mesh: 'm1' }, dp);
    const ingressDp = {
      networking: {
        address: '10.0.9.1',
        ingress: { availableServices: [{ tags: { 'kuma.io/service': 's' } }, { mesh: 'm2', tags: { 'kuma.io/service': 's' } }] },
        inbound: [{ port: 10001, tags: { 'kuma.io/service': 'ingress' } }],
      },
    };
    await store.create('Dataplane', { name: 'ing', mesh: 'm1' }, ingressDp);
    await reconciler.add(proxy('m1', 'ing'));
    const listeners = () => cache.get('m1.ing')?.names(res.listener('x').typeUrl) ?? [];
    const clusters = () => (cache.get('m1.ing')?.names(res.cluster('x').typeUrl) ?? []).sort();
    // its own availableServices (no mesh = its own), endpoints of every mesh, never the sidecar generator
    expect(listeners()).toEqual(['10.0.9.1:10001 m1/s,m2/s']);
    expect(clusters()).toEqual(['m1:a', 'm1:ing']);
    expect(generated).toEqual([]);
    // a change in another mesh reaches it
    await store.create('Dataplane', { name: 'x', mesh: 'm2' }, dp);
    await expect.poll(clusters).toEqual(['m1:a', 'm1:ing', 'm2:x']);
    // no longer an ingress: a sidecar again; an ingress again: the ingress config again
    const current = await store.find('Dataplane', { name: 'ing', mesh: 'm1' });
    await store.update('Dataplane', { name: 'ing', mesh: 'm1' }, dp, { expectedVersion: current?.meta.version });
    await expect.poll(listeners).toEqual([]);
    expect(clusters()).toEqual(['a', 'ing']);
    expect(generated).toContain('m1.ing');
    const again = await store.find('Dataplane', { name: 'ing', mesh: 'm1' });
    await store.update('Dataplane', { name: 'ing', mesh: 'm1' }, ingressDp, { expectedVersion: again?.meta.version });
    await expect.poll(listeners).toEqual(['10.0.9.1:10001 m1/s,m2/s']);
    // its stream leaving drops it wherever it is generated
    reconciler.remove(proxy('m1', 'ing'));
    expect(cache.get('m1.ing')).toBeUndefined();
    reconciler.stop();
  });
});
