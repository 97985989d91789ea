import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../core/runtime/runtime.js';
import type { VirtualIPSpec } from '../core/resources/specs.js';
import { MemoryStore } from '../plugins/store/memory/memory-store.js';
import { startComponent, testRuntime } from '../../test/helpers/dns-runtime.js';
import { vipAllocatorComponent, type AllocatorOptions } from './vip-allocator-component.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function start(rt: Runtime, options?: AllocatorOptions): Promise<() => Promise<void>> {
  const c = vipAllocatorComponent(rt, options);
  expect(c.leaderOnly).toBe(true);
  const handle = await startComponent(c);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await handle.stop();
  };
  stops.push(stop);
  return stop;
}

async function vips(rt: Runtime): Promise<Record<string, VirtualIPSpec>> {
  const rows = await rt.store.list('VirtualIP');
  return Object.fromEntries(rows.map((r) => [r.meta.name, r.spec]));
}

async function serviceVips(rt: Runtime): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const spec of Object.values(await vips(rt))) if (spec.service) out[spec.service] = spec.ip;
  return out;
}

const dataplane = (...services: string[]) => ({
  networking: { address: '10.0.0.1', inbound: services.map((s, i) => ({ port: 8080 + i, tags: { 'kuma.io/service': s } })) },
});

async function seed(rt: Runtime): Promise<void> {
  await rt.manager.create('Mesh', { name: 'default', mesh: '' }, {});
  await rt.manager.create('Mesh', { name: 'other', mesh: '' }, {});
  await rt.manager.create('Dataplane', { name: 'web-1', mesh: 'default' }, dataplane('web', 'web-admin'));
  await rt.manager.create('Dataplane', { name: 'web-2', mesh: 'other' }, dataplane('web'));
  await rt.manager.create('ExternalService', { name: 'httpbin', mesh: 'default' }, { networking: { address: 'httpbin.org:443' }, tags: { 'kuma.io/service': 'httpbin' } });
  await rt.manager.create('ZoneIngress', { name: 'zone-2-ingress', mesh: '' }, {
    networking: { address: '10.0.0.9', port: 10001 },
    availableServices: [
      { tags: { 'kuma.io/service': 'backend', 'kuma.io/zone': 'zone-2' }, mesh: 'default', instances: 2 },
      { tags: { 'kuma.io/service': 'orphan' }, mesh: 'no-such-mesh', instances: 1 },
    ],
  });
}

describe('VIP allocator component', () => {
  it('gives every service of every mesh one VIP, in sorted order from the CIDR start, one row per VIP', async () => {
    const rt = testRuntime();
    await seed(rt);
    await start(rt);
    expect(await serviceVips(rt)).toEqual({ backend: '240.0.0.0', httpbin: '240.0.0.1', web: '240.0.0.2', 'web-admin': '240.0.0.3' });
    expect(Object.keys(await vips(rt))).toEqual(['240-0-0-0', '240-0-0-1', '240-0-0-2', '240-0-0-3']);
  });

  it('follows store events: a new service gets a VIP without polling, a vanished one is quarantined', async () => {
    const rt = testRuntime();
    await seed(rt);
    await start(rt, { debounceMs: 1 });
    await rt.manager.create('Dataplane', { name: 'redis-1', mesh: 'other' }, dataplane('redis'));
    await vi.waitFor(async () => expect((await serviceVips(rt))['redis']).toBe('240.0.0.4'), { timeout: 10_000, interval: 5 });

    await rt.manager.delete('Dataplane', { name: 'redis-1', mesh: 'other' });
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
    await vi.waitFor(async () => expect((await vips(rt))['240-0-0-4']).toEqual({ ip: '240.0.0.4', freedAt: expect.any(String) }), { timeout: 10_000, interval: 5 });
    const freedRow = await rt.store.get('VirtualIP', { name: '240-0-0-4', mesh: '' });
    expect(freedRow.meta.labels).toEqual({ 'kuma.io/former-service': 'redis' });

    // Another new service must not get the quarantined VIP; redis coming back gets its own back.
    await rt.manager.create('Dataplane', { name: 'kafka-1', mesh: 'default' }, dataplane('kafka'));
    await vi.waitFor(async () => expect((await serviceVips(rt))['kafka']).toBe('240.0.0.5'), { timeout: 10_000, interval: 5 });
    await rt.manager.create('Dataplane', { name: 'redis-2', mesh: 'default' }, dataplane('redis'));
    await vi.waitFor(async () => expect((await serviceVips(rt))['redis']).toBe('240.0.0.4'), { timeout: 10_000, interval: 5 });
  });

  it('frees a service only when its last instance in every mesh is gone', async () => {
    const rt = testRuntime();
    await seed(rt);
    await start(rt, { debounceMs: 1 });
    await rt.manager.delete('Dataplane', { name: 'web-1', mesh: 'default' });
    await vi.waitFor(async () => expect((await serviceVips(rt))['web-admin']).toBeUndefined(), { timeout: 10_000, interval: 5 });
    expect((await serviceVips(rt))['web']).toBe('240.0.0.2');
  });

  it('hands a freed VIP to a new service only after the quarantine', async () => {
    let now = Date.parse('2024-05-01T00:00:00Z');
    const rt = testRuntime({ CIDR: '10.0.0.0/31' });
    await rt.manager.create('Mesh', { name: 'default', mesh: '' }, {});
    await rt.manager.create('Dataplane', { name: 'a', mesh: 'default' }, dataplane('a', 'b'));
    await start(rt, { debounceMs: 1, now: () => now });
    expect(await serviceVips(rt)).toEqual({ a: '10.0.0.0', b: '10.0.0.1' });

    await rt.manager.update('Dataplane', { name: 'a', mesh: 'default' }, dataplane('b', 'c'));
    await vi.waitFor(async () => expect((await vips(rt))['10-0-0-0']?.freedAt).toBeDefined(), { timeout: 10_000, interval: 5 });
    expect(await serviceVips(rt)).toEqual({ b: '10.0.0.1' }); // c waits: the only other VIP is quarantined

    now += 61_000;
    await rt.manager.update('Dataplane', { name: 'a', mesh: 'default' }, { ...dataplane('b', 'c'), metrics: { type: 'prometheus' } });
    await vi.waitFor(async () => expect(await serviceVips(rt)).toEqual({ b: '10.0.0.1', c: '10.0.0.0' }), { timeout: 10_000, interval: 5 });
  });

  it('keeps every VIP across a restart and writes nothing when nothing changed', async () => {
    const store = new MemoryStore();
    const rt = testRuntime({}, store);
    await seed(rt);
    const stop = await start(rt);
    const before = await store.list('VirtualIP');
    await stop();
    await rt.manager.create('Dataplane', { name: 'late', mesh: 'default' }, dataplane('aaa-late'));
    await start(testRuntime({}, store));
    const after = await store.list('VirtualIP');
    expect(after.filter((r) => before.some((b) => b.meta.name === r.meta.name))).toEqual(before);
    expect(after.find((r) => r.spec.service === 'aaa-late')?.spec).toEqual({ ip: '240.0.0.4', service: 'aaa-late' });
  });

  it('on CIDR exhaustion keeps existing VIPs and leaves the other services without one', async () => {
    const rt = testRuntime({ CIDR: '10.0.0.0/31' });
    await rt.manager.create('Mesh', { name: 'default', mesh: '' }, {});
    await rt.manager.create('Dataplane', { name: 'x', mesh: 'default' }, dataplane('a', 'b', 'c'));
    await start(rt, { debounceMs: 1 });
    expect(await serviceVips(rt)).toEqual({ a: '10.0.0.0', b: '10.0.0.1' });
    await rt.manager.create('Dataplane', { name: 'y', mesh: 'default' }, dataplane('d'));
    await new Promise((r) => setTimeout(r, 20));
    expect(await serviceVips(rt)).toEqual({ a: '10.0.0.0', b: '10.0.0.1' });
  });
});
