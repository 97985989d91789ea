import { buildRuntime } from '../core/runtime/bootstrap.js';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { configureLogging } from '../core/logging.js';
import type { Component } from '../core/runtime/component.js';
import type { Runtime } from '../core/runtime/runtime.js';
import type { StoreEvent } from '../core/store/resource-store.js';
import { MemoryStore } from '../plugins/store/memory/memory-store.js';
import { BindError } from '../core/runtime/listen.js';
import { errorMessage } from '../core/errors.js';
import { kdsServerComponent } from './global/kds-server.js';
import { CLIENT_ID_METADATA, decodeMessage, encodeMessage, KDS_SYNC_PATH, type KdsMessage } from './kds-proto.js';
import { kdsClientComponent } from './remote/kds-client.js';
import { toExported } from './wire-resource.js';
import { onChanges } from '../../test/helpers/store-listener.js';

configureLogging('off');

let n = 0;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function runtime(mode: 'global' | 'remote', extra: { zone?: string; globalPort?: number; maxMsgSize?: number; kdsPort?: number } = {}): Runtime {
  const config = configSchema.parse({
    mode,
    multizone: {
      // Zone authentication has its own tests (test/e2e/security); these are about the sync.
      global: { kds: { grpcPort: extra.kdsPort ?? 0, interface: '127.0.0.1', auth: { type: 'none' }, ...(extra.maxMsgSize ? { maxMsgSize: extra.maxMsgSize } : {}) } },
      remote: { zone: extra.zone ?? '', globalAddress: extra.globalPort ? `grpc://127.0.0.1:${extra.globalPort}` : '' },
    },
  });
  const store = new MemoryStore();
  return buildRuntime(config, store, { instanceId: `test-${mode}-${++n}`, meshDefaults: mode !== 'remote' });
}

async function start(c: Component): Promise<() => Promise<void>> {
  const ac = new AbortController();
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const done = c.start(ac.signal, ready);
  await Promise.race([isReady, done]);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    ac.abort();
    await done;
  };
  cleanups.push(stop);
  return stop;
}

async function startGlobal(maxMsgSize?: number): Promise<{ rt: Runtime; port: number; stop: () => Promise<void> }> {
  const rt = runtime('global', maxMsgSize ? { maxMsgSize } : {});
  let port = 0;
  const stop = await start(kdsServerComponent(rt, { onListening: (p) => (port = p), insightFlushMs: 50 }));
  return { rt, port, stop };
}

async function startRemote(zone: string, globalPort: number, maxMsgSize?: number, rt = runtime('remote', { zone, globalPort, ...(maxMsgSize ? { maxMsgSize } : {}) })) {
  const stop = await start(kdsClientComponent(rt, { backoffBaseMs: 20, backoffMaxMs: 200 }));
  return { rt, stop };
}

async function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${errorMessage(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const route = (service: string) => ({
  sources: [{ match: { 'kuma.io/service': '*' } }],
  destinations: [{ match: { 'kuma.io/service': service } }],
  conf: { destination: { 'kuma.io/service': service } },
});
const dataplane = (service: string, port = 8080, extraTags: Record<string, string> = {}) => ({
  networking: { address: '10.0.0.1', inbound: [{ port, tags: { 'kuma.io/service': service, ...extraTags } }] },
});
const mesh = { name: 'default', mesh: '' };

describe('KDS sync between a global and zones (in process, real gRPC)', () => {
  it('a second global on a port in use fails to start with a BindError naming the port', async () => {
    const g = await startGlobal();
    const failure = kdsServerComponent(runtime('global', { kdsPort: g.port })).start(new AbortController().signal, () => undefined);
    await expect(failure).rejects.toBeInstanceOf(BindError);
    await expect(failure).rejects.toThrow(`port ${g.port} on 127.0.0.1 is already in use (kds-server)`);
  });

  it('sends policies to every zone, updates and removes them, and marks them as global-originated', async () => {
    const g = await startGlobal();
    await g.rt.manager.create('Mesh', mesh, {});
    await g.rt.manager.create('TrafficRoute', { mesh: 'default', name: 'r1' }, route('a'));
    const z1 = await startRemote('zone-1', g.port);
    const z2 = await startRemote('zone-2', g.port);
    for (const z of [z1, z2]) {
      const r = await eventually(() => z.rt.store.find('TrafficRoute', { mesh: 'default', name: 'r1' }), 'route on zone');
      expect(r.meta.labels).toEqual({ 'kuma.io/origin': 'global' });
      expect(r.spec).toEqual((await g.rt.store.get('TrafficRoute', { mesh: 'default', name: 'r1' })).spec);
      // The global's per-mesh defaults travel too.
      await eventually(() => z.rt.store.find('TrafficPermission', { mesh: 'default', name: 'allow-all-default' }), 'default policy on zone');
    }
    await g.rt.manager.update('TrafficRoute', { mesh: 'default', name: 'r1' }, route('b'));
    for (const z of [z1, z2]) {
      await eventually(async () => JSON.stringify((await z.rt.store.get('TrafficRoute', { mesh: 'default', name: 'r1' })).spec).includes('"b"'), 'updated route');
    }
    await g.rt.manager.delete('TrafficRoute', { mesh: 'default', name: 'r1' });
    for (const z of [z1, z2]) {
      await eventually(async () => (await z.rt.store.find('TrafficRoute', { mesh: 'default', name: 'r1' })) === undefined, 'route removed from zone');
    }
  });

  it('stores a zone dataplane on the global as <zone>.<name>, owned by the Zone, and keeps zones apart', async () => {
    const g = await startGlobal();
    await g.rt.manager.create('Mesh', mesh, {});
    const z1 = await startRemote('zone-1', g.port);
    const z2 = await startRemote('zone-2', g.port);
    await eventually(() => z1.rt.store.find('Mesh', mesh), 'mesh on zone-1');
    await eventually(() => z2.rt.store.find('Mesh', mesh), 'mesh on zone-2');
    await z1.rt.manager.create('Dataplane', { mesh: 'default', name: 'dp-1' }, dataplane('web'));
    await z2.rt.manager.create('Dataplane', { mesh: 'default', name: 'dp-1' }, dataplane('api'));
    const d1 = await eventually(() => g.rt.store.find('Dataplane', { mesh: 'default', name: 'zone-1.dp-1' }), 'zone-1 dataplane on global');
    expect(d1.meta.labels).toEqual({ 'kuma.io/zone': 'zone-1', 'kuma.io/origin': 'zone' });
    await eventually(() => g.rt.store.find('Dataplane', { mesh: 'default', name: 'zone-2.dp-1' }), 'zone-2 dataplane on global');
    // A zone never receives dataplanes back.
    expect(await z1.rt.store.list('Dataplane')).toHaveLength(1);

    await z1.rt.manager.delete('Dataplane', { mesh: 'default', name: 'dp-1' });
    await eventually(async () => (await g.rt.store.find('Dataplane', { mesh: 'default', name: 'zone-1.dp-1' })) === undefined, 'removed on global');
    expect(await g.rt.store.find('Dataplane', { mesh: 'default', name: 'zone-2.dp-1' })).toBeDefined();

    const zones = await g.rt.store.list('Zone');
    expect(zones.map((z) => [z.meta.name, z.spec])).toEqual([
      ['zone-1', { enabled: true }],
      ['zone-2', { enabled: true }],
    ]);
    // Deleting a Zone deletes what it owns.
    await g.rt.store.delete('Zone', { name: 'zone-2', mesh: '' });
    expect(await g.rt.store.find('Dataplane', { mesh: 'default', name: 'zone-2.dp-1' })).toBeUndefined();
  });

  it("sends the zone's DataplaneInsights and ZoneIngressInsights up as <zone>.<name>, and their removals", async () => {
    const g = await startGlobal();
    await g.rt.manager.create('Mesh', mesh, {});
    const z = await startRemote('zone-1', g.port);
    await eventually(() => z.rt.store.find('Mesh', mesh), 'mesh on zone');
    const dpKey = { mesh: 'default', name: 'dp-1' };
    await z.rt.manager.create('Dataplane', dpKey, dataplane('web'));
    const sub = { id: 's1', controlPlaneInstanceId: 'cp', connectTime: '2024-01-01T00:00:00Z', status: { total: { responsesSent: 3, responsesAcknowledged: 3, responsesRejected: 0 } } };
    await z.rt.manager.create('DataplaneInsight', dpKey, { subscriptions: [sub] }, { owner: { type: 'Dataplane', ...dpKey } });
    await z.rt.manager.create('ZoneIngress', { mesh: '', name: 'ing' }, { zone: 'zone-1', networking: { address: '10.1.0.1', port: 10001 } });
    await z.rt.manager.create('ZoneIngressInsight', { mesh: '', name: 'ing' }, { subscriptions: [sub] });

    const dpi = await eventually(() => g.rt.store.find('DataplaneInsight', { mesh: 'default', name: 'zone-1.dp-1' }), 'dataplane insight on global');
    expect(dpi.meta.labels).toEqual({ 'kuma.io/zone': 'zone-1', 'kuma.io/origin': 'zone' });
    expect((dpi.spec as { subscriptions: { id: string }[] }).subscriptions.map((s) => s.id)).toEqual(['s1']);
    const zii = await eventually(() => g.rt.store.find('ZoneIngressInsight', { mesh: '', name: 'zone-1.ing' }), 'zone ingress insight on global');
    expect(zii.meta.labels).toEqual({ 'kuma.io/zone': 'zone-1', 'kuma.io/origin': 'zone' });

    // Deleting the dataplane on the zone deletes its insight there (owner), and both go on the global.
    await z.rt.manager.delete('Dataplane', dpKey);
    await z.rt.manager.delete('ZoneIngressInsight', { mesh: '', name: 'ing' });
    await eventually(async () => (await g.rt.store.find('DataplaneInsight', { mesh: 'default', name: 'zone-1.dp-1' })) === undefined, 'insight removed on global');
    await eventually(async () => (await g.rt.store.find('ZoneIngressInsight', { mesh: '', name: 'zone-1.ing' })) === undefined, 'ingress insight removed on global');
    expect(await g.rt.store.find('Dataplane', { mesh: 'default', name: 'zone-1.dp-1' })).toBeUndefined();
  });

  it('re-exports zone ingresses only to other, enabled zones; disabling a zone drops its stream and its ingresses', async () => {
    const g = await startGlobal();
    const z1 = await startRemote('zone-1', g.port);
    const z2 = await startRemote('zone-2', g.port);
    await z1.rt.manager.create('ZoneIngress', { mesh: '', name: 'ingress' }, { zone: 'zone-1', networking: { address: '10.1.0.1', port: 10001 } });
    const copy = await eventually(() => z2.rt.store.find('ZoneIngress', { mesh: '', name: 'zone-1.ingress' }), 'zone-1 ingress on zone-2');
    expect(copy.meta.labels).toEqual({ 'kuma.io/zone': 'zone-1', 'kuma.io/origin': 'global' });
    // Not echoed back to zone-1 nor re-exported by zone-2 to the global.
    expect((await z1.rt.store.list('ZoneIngress')).map((r) => r.meta.name)).toEqual(['ingress']);
    expect((await g.rt.store.list('ZoneIngress')).map((r) => r.meta.name)).toEqual(['zone-1.ingress']);

    const insight = await eventually(async () => {
      const i = await g.rt.store.find('ZoneInsight', { mesh: '', name: 'zone-1' });
      const subs = (i?.spec as { subscriptions?: { connectTime: string; disconnectTime?: string; status: { stat: Record<string, { responsesSent: number }> } }[] } | undefined)?.subscriptions;
      return subs?.[0]?.status.stat['ZoneIngress'] ? subs : undefined;
    }, 'zone-1 insight with counters');
    expect(insight).toHaveLength(1);
    expect(insight[0]?.disconnectTime).toBeUndefined();

    await g.rt.manager.update('Zone', { mesh: '', name: 'zone-1' }, { enabled: false });
    await eventually(async () => (await z2.rt.store.find('ZoneIngress', { mesh: '', name: 'zone-1.ingress' })) === undefined, 'ingress of disabled zone removed');
    await eventually(async () => {
      const i = await g.rt.store.get('ZoneInsight', { mesh: '', name: 'zone-1' });
      return (i.spec as { subscriptions: { disconnectTime?: string }[] }).subscriptions.every((s) => s.disconnectTime);
    }, 'zone-1 disconnected');
    // Still refused while disabled: changes on zone-1 do not reach the global.
    await z1.rt.manager.create('ZoneIngress', { mesh: '', name: 'ingress-2' }, { zone: 'zone-1', networking: { address: '10.1.0.2', port: 10001 } });
    await g.rt.manager.update('Zone', { mesh: '', name: 'zone-1' }, { enabled: true });
    await eventually(() => g.rt.store.find('ZoneIngress', { mesh: '', name: 'zone-1.ingress-2' }), 'zone-1 back after enabling');
    await eventually(() => z2.rt.store.find('ZoneIngress', { mesh: '', name: 'zone-1.ingress' }), 'ingress exported again');
  });

  it('refuses a second stream for a zone that is already connected, and keeps the first', async () => {
    const g = await startGlobal();
    await g.rt.manager.create('Mesh', mesh, {});
    const first = await startRemote('zone-1', g.port);
    await eventually(() => first.rt.store.find('Mesh', mesh), 'first zone synced');
    const err = await openRaw(g.port, 'zone-1');
    expect(err.code).toBe(status.ALREADY_EXISTS);
    expect(err.details).toMatch(/zone zone-1 is already connected/);
    await g.rt.manager.create('TrafficRoute', { mesh: 'default', name: 'r' }, route('a'));
    await eventually(() => first.rt.store.find('TrafficRoute', { mesh: 'default', name: 'r' }), 'first zone still syncs');
  });

  it('after a reconnect sends only what changed', async () => {
    const g = await startGlobal();
    await g.rt.manager.create('Mesh', mesh, {});
    for (let i = 0; i < 50; i++) await g.rt.manager.create('TrafficRoute', { mesh: 'default', name: `r-${i}` }, route(`s${i}`));
    const zrt = runtime('remote', { zone: 'zone-1', globalPort: g.port });
    const z = await startRemote('zone-1', g.port, undefined, zrt);
    await z.rt.manager.create('Dataplane', { mesh: 'default', name: 'dp' }, dataplane('web')).catch(() => undefined);
    await eventually(async () => (await zrt.store.list('TrafficRoute')).length === 51, 'all routes on zone');
    await eventually(() => zrt.store.find('Mesh', mesh), 'mesh');
    await zrt.manager.upsert('Dataplane', { mesh: 'default', name: 'dp' }, dataplane('web'));
    await eventually(() => g.rt.store.find('Dataplane', { mesh: 'default', name: 'zone-1.dp' }), 'dp on global');
    await z.stop();

    await g.rt.manager.update('TrafficRoute', { mesh: 'default', name: 'r-7' }, route('changed'));
    const zoneEvents: StoreEvent[] = [];
    zrt.store.subscribe(onChanges((events) => zoneEvents.push(...events)));
    const globalEvents: StoreEvent[] = [];
    g.rt.store.subscribe(onChanges((events) => globalEvents.push(...events.filter((e) => e.type === 'Dataplane'))));
    await startRemote('zone-1', g.port, undefined, zrt);
    await eventually(async () => JSON.stringify((await zrt.store.get('TrafficRoute', { mesh: 'default', name: 'r-7' })).spec).includes('changed'), 'changed route');
    await new Promise((r) => setTimeout(r, 200));
    expect(zoneEvents.map((e) => `${e.op} ${e.type} ${e.resource.meta.name}`)).toEqual(['update TrafficRoute r-7']);
    expect(globalEvents).toEqual([]);
  });

  it('on (re)connect only differences travel, counted on the wire: each side reports what it holds, the other sends the rest', async () => {
    const g = await startGlobal();
    await g.rt.manager.create('Mesh', mesh, {});
    for (let i = 0; i < 50; i++) await g.rt.manager.create('TrafficRoute', { mesh: 'default', name: `r-${i}` }, route(`s${i}`));
    // What the global already holds from zone-1 (as left by an earlier stream).
    await g.rt.manager.create('Zone', { mesh: '', name: 'zone-1' }, { enabled: true });
    const dpSpec = dataplane('web');
    await g.rt.manager.create('Dataplane', { mesh: 'default', name: 'zone-1.dp' }, dpSpec, {
      labels: { 'kuma.io/zone': 'zone-1', 'kuma.io/origin': 'zone' },
      owner: { type: 'Zone', name: 'zone-1', mesh: '' },
    });
    const routes = await g.rt.store.list('TrafficRoute');
    expect(routes.length).toBeGreaterThan(50);
    // A zone that holds every route up to date except r-7, plus one the global no longer has.
    const initial = routes.map((r) => ({ name: r.meta.name, mesh: r.meta.mesh, version: r.meta.name === 'r-7' ? 'stale' : toExported(r, 'globalToZone').version }));
    initial.push({ name: 'gone', mesh: 'default', version: 'x' });
    const peer = rawPeer(g.port, 'zone-1');
    peer.send({ subscribe: { type: 'TrafficRoute', initial, more: false } });
    const update = await peer.update('TrafficRoute');
    expect(update.resources.map((r) => r.meta.name)).toEqual(['r-7']);
    expect(update.removed).toEqual([{ name: 'gone', mesh: 'default' }]);
    // The global, for its part, tells the zone what it holds (zone-side names, the zone's versions).
    const sub = await peer.subscription('Dataplane');
    const zoneVersion = toExported({ type: 'Dataplane', meta: { name: 'dp', mesh: 'default', version: 1, creationTime: '', modificationTime: '' }, spec: dpSpec }, 'zoneToGlobal').version;
    expect(sub.initial).toEqual([{ name: 'dp', mesh: 'default', version: zoneVersion }]);
    // Nothing else is sent for TrafficRoute until something changes or the update is acknowledged.
    peer.send({ ack: { type: 'TrafficRoute', nonce: update.nonce } });
    await g.rt.manager.update('TrafficRoute', { mesh: 'default', name: 'r-3' }, route('changed'));
    const next = await peer.take((m) => ('update' in m && m.update.type === 'TrafficRoute' && m.update.nonce !== update.nonce ? m.update : undefined));
    expect(next.resources.map((r) => r.meta.name)).toEqual(['r-3']);
    expect(next.removed).toEqual([]);
    expect(peer.received.filter((m) => 'update' in m && m.update.type === 'TrafficRoute')).toHaveLength(2);
  });

  it('moves thousands of resources both ways at once with a small message limit (no deadlock, split updates)', async () => {
    const maxMsgSize = 64 * 1024;
    const g = await startGlobal(maxMsgSize);
    await g.rt.manager.create('Mesh', mesh, {});
    const z = await startRemote('zone-1', g.port, maxMsgSize);
    await eventually(() => z.rt.store.find('Mesh', mesh), 'mesh on zone');
    await z.stop();
    const N = 3000;
    const routes = Array.from({ length: N }, (_, i) => ({ op: 'create' as const, type: 'TrafficRoute' as const, key: { mesh: 'default', name: `route-${i}` }, spec: route(`svc-${i}`) }));
    await g.rt.manager.transact(routes);
    const dps = Array.from({ length: N }, (_, i) => ({ op: 'create' as const, type: 'Dataplane' as const, key: { mesh: 'default', name: `dp-${i}` }, spec: dataplane(`svc-${i}`) }));
    await z.rt.manager.transact(dps);
    await startRemote('zone-1', g.port, maxMsgSize, z.rt);
    await eventually(async () => (await z.rt.store.list('TrafficRoute')).length === N + 1, `${N} routes on zone`, 30_000);
    await eventually(async () => (await g.rt.store.list('Dataplane')).length === N, `${N} dataplanes on global`, 30_000);
  }, 60_000);
});

describe('KDS message size limits that differ between the global and a zone', () => {
  it('each side sends at most what the other accepts: the smaller limit wins in both directions', async () => {
    const N = 1500;
    for (const [globalMax, zoneMax] of [
      [64 * 1024, 4 * 1024 * 1024],
      [4 * 1024 * 1024, 64 * 1024],
    ] as const) {
      const g = await startGlobal(globalMax);
      await g.rt.manager.create('Mesh', mesh, {});
      const z = await startRemote('zone-1', g.port, zoneMax);
      await eventually(() => z.rt.store.find('Mesh', mesh), 'mesh on zone');
      const routes = Array.from({ length: N }, (_, i) => ({ op: 'create' as const, type: 'TrafficRoute' as const, key: { mesh: 'default', name: `route-${i}` }, spec: route(`svc-${i}`) }));
      const dps = Array.from({ length: N }, (_, i) => ({ op: 'create' as const, type: 'Dataplane' as const, key: { mesh: 'default', name: `dp-${i}` }, spec: dataplane(`svc-${i}`) }));
      await Promise.all([g.rt.manager.transact(routes), z.rt.manager.transact(dps)]);
      await eventually(async () => (await z.rt.store.list('TrafficRoute')).length === N + 1, `${N} routes on zone (global ${globalMax}, zone ${zoneMax})`);
      await eventually(async () => (await g.rt.store.list('Dataplane')).length === N, `${N} dataplanes on global (global ${globalMax}, zone ${zoneMax})`);
      await z.stop();
      await g.stop();
    }
  }, 60_000);
});

describe('KDS bad input', () => {
  it('refuses a stream without a zone name', async () => {
    const g = await startGlobal();
    const err = await openRaw(g.port, undefined);
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/'client-id' is not present in metadata/);
    expect(await g.rt.store.list('Zone')).toEqual([]);
  });

  it('ends a stream that sends bytes which are not a KDS message, writes nothing, and frees the zone', async () => {
    const g = await startGlobal();
    await g.rt.manager.create('Mesh', mesh, {});
    const client = new Client(`127.0.0.1:${g.port}`, credentials.createInsecure());
    const md = new Metadata();
    md.set(CLIENT_ID_METADATA, 'zone-1');
    const call = client.makeBidiStreamRequest<Buffer, Buffer>(KDS_SYNC_PATH, (b) => b, (b) => b, md, {});
    const ended = new Promise<ServiceError>((resolve) => call.on('error', resolve));
    call.on('data', () => undefined);
    call.write(Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]));
    const err = await ended;
    client.close();
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/^malformed KDS message: /);
    expect(await g.rt.store.list('Dataplane')).toEqual([]);
    // The zone's slot is free again: a well-behaved zone-1 connects and syncs.
    const z = await startRemote('zone-1', g.port);
    await eventually(() => z.rt.store.find('Mesh', mesh), 'zone-1 syncs after the bad stream');
  });

  it('refuses a disabled zone', async () => {
    const g = await startGlobal();
    await g.rt.manager.create('Zone', { mesh: '', name: 'zone-x' }, { enabled: false });
    const err = await openRaw(g.port, 'zone-x');
    expect(err.code).toBe(status.FAILED_PRECONDITION);
    expect(err.details).toBe('zone zone-x is disabled');
  });

  it('NACKs unknown types and out-of-scope resources and writes nothing; errors the stream on a bad subscription', async () => {
    const g = await startGlobal();
    await g.rt.manager.create('Mesh', mesh, {});
    const peer = rawPeer(g.port, 'zone-1');
    const dp = (name: string, zoneTag?: string) => ({
      meta: { name, mesh: 'default', version: 'v1', labels: {}, creationTime: '', modificationTime: '' },
      spec: JSON.stringify(dataplane('web', 8080, zoneTag ? { 'kuma.io/zone': zoneTag } : {})),
    });
    peer.send({ update: { type: 'Bogus', nonce: '1', resources: [], removed: [] } });
    expect((await peer.ack('1')).error?.message).toMatch(/unknown resource type "Bogus"/);
    peer.send({ update: { type: 'TrafficRoute', nonce: '2', resources: [], removed: [] } });
    expect((await peer.ack('2')).error?.message).toMatch(/TrafficRoute is not accepted from zone "zone-1"/);
    peer.send({ update: { type: 'Dataplane', nonce: '3', resources: [dp('ok'), dp('other', 'zone-2')], removed: [] } });
    expect((await peer.ack('3')).error?.message).toMatch(/Dataplane default\/other: belongs to zone "zone-2"/);
    peer.send({ update: { type: 'Dataplane', nonce: '4', resources: [dp('ok'), { ...dp('bad'), spec: '[1]' }], removed: [] } });
    expect((await peer.ack('4')).error?.message).toMatch(/Dataplane default\/bad: spec is not a JSON object/);
    peer.send({ update: { type: 'Dataplane', nonce: '5', resources: [dp('ok'), { ...dp('Bad Name') }], removed: [] } });
    expect((await peer.ack('5')).error?.message).toMatch(/name/);
    const invalid = { ...dp('invalid'), spec: JSON.stringify({ networking: { address: '10.0.0.1', inbound: [{ port: 70000, tags: { 'kuma.io/service': 'web' } }] } }) };
    peer.send({ update: { type: 'Dataplane', nonce: '5b', resources: [dp('ok'), invalid], removed: [] } });
    expect((await peer.ack('5b')).error?.message).toMatch(/Dataplane default\/zone-1\.invalid: networking\.inbound\[0\]\.port: port has to be in range of \[1, 65535\]/);
    expect(await g.rt.store.list('Dataplane')).toEqual([]);
    peer.send({ update: { type: 'Dataplane', nonce: '6', resources: [dp('ok')], removed: [] } });
    expect((await peer.ack('6')).error).toBeUndefined();
    expect((await g.rt.store.list('Dataplane')).map((d) => d.meta.name)).toEqual(['zone-1.ok']);

    peer.send({ subscribe: { type: 'Nonsense', initial: [], more: false } });
    const err = await peer.closed;
    expect(err?.code).toBe(status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/"Nonsense"/);
  });
});

/** A hand-driven zone end of the stream, to send what a real zone never would. */
function rawPeer(port: number, zone: string | undefined) {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  const md = new Metadata();
  if (zone) md.set(CLIENT_ID_METADATA, zone);
  const call = client.makeBidiStreamRequest<KdsMessage, KdsMessage>(KDS_SYNC_PATH, encodeMessage, decodeMessage, md, {});
  const acks: KdsMessage[] = [];
  const waiters: (() => void)[] = [];
  call.on('data', (m: KdsMessage) => {
    acks.push(m);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<ServiceError | undefined>((resolve) => {
    call.on('error', (e: ServiceError) => resolve(e));
    call.on('end', () => resolve(undefined));
  });
  cleanups.push(() => {
    call.cancel();
    client.close();
    return Promise.resolve();
  });
  const take = async <T>(pick: (m: KdsMessage) => T | undefined): Promise<T> => {
    for (;;) {
      for (const m of acks) {
        const v = pick(m);
        if (v !== undefined) return v;
      }
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return {
    closed,
    received: acks,
    send: (m: KdsMessage) => call.write(m),
    take,
    ack: (nonce: string) => take((m) => ('ack' in m && m.ack.nonce === nonce ? m.ack : undefined)),
    update: (type: string) => take((m) => ('update' in m && m.update.type === type ? m.update : undefined)),
    subscription: (type: string) => take((m) => ('subscribe' in m && m.subscribe.type === type ? m.subscribe : undefined)),
  };
}

async function openRaw(port: number, zone: string | undefined): Promise<ServiceError> {
  const err = await rawPeer(port, zone).closed;
  if (!err) throw new Error('stream ended without an error');
  return err;
}
