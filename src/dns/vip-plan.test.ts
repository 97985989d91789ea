import { describe, expect, it } from 'vitest';
import { ipToInt, parseCidr } from './cidr.js';
import type { VipRow } from './virtual-ip.js';
import { planVips, quarantineMs, type PlanInput, type VipWrite } from './vip-plan.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const Q = quarantineMs(30);

function active(ip: string, service: string, version = 1): VipRow {
  return { name: ip.replaceAll('.', '-'), version, ip, ipInt: ipToInt(ip)!, service };
}
function freed(ip: string, freedAt: number, formerService?: string): VipRow {
  return { name: ip.replaceAll('.', '-'), version: 2, ip, ipInt: ipToInt(ip)!, freedAt, ...(formerService ? { formerService } : {}) };
}
function plan(rows: VipRow[], services: string[], over: Partial<PlanInput> = {}) {
  return planVips({ rows, services: [...services].sort(), cidr: parseCidr('240.0.0.0/4'), now: NOW, quarantineMs: Q, ...over });
}
const byName = (writes: VipWrite[]) => Object.fromEntries(writes.map((w) => [w.name, w]));

describe('planVips', () => {
  it('quarantines for longer than the TTL, at least a minute', () => {
    expect(quarantineMs(30)).toBe(60_000);
    expect(quarantineMs(300)).toBe(600_000);
  });

  it('allocates from the first address of the CIDR in sorted service order, one row per VIP', () => {
    const p = plan([], ['web', 'backend', 'redis']);
    expect(p.writes).toEqual([
      { op: 'create', name: '240-0-0-0', spec: { ip: '240.0.0.0', service: 'backend' }, labels: {} },
      { op: 'create', name: '240-0-0-1', spec: { ip: '240.0.0.1', service: 'redis' }, labels: {} },
      { op: 'create', name: '240-0-0-2', spec: { ip: '240.0.0.2', service: 'web' }, labels: {} },
    ]);
    expect(p.unallocated).toEqual([]);
  });

  it('keeps existing VIPs and fills gaps with the lowest free address', () => {
    const p = plan([active('240.0.0.0', 'a'), active('240.0.0.2', 'c')], ['a', 'b', 'c', 'd']);
    expect(p.writes.map((w) => [w.op, w.name])).toEqual([
      ['create', '240-0-0-1'],
      ['create', '240-0-0-3'],
    ]);
    expect(p.allocated).toEqual([
      { service: 'b', ip: '240.0.0.1', reused: false },
      { service: 'd', ip: '240.0.0.3', reused: false },
    ]);
  });

  it('is a no-op when every service has its VIP', () => {
    expect(plan([active('240.0.0.0', 'a'), active('240.0.0.1', 'b')], ['a', 'b']).writes).toEqual([]);
  });

  it('frees the VIP of a vanished service into quarantine, remembering the service', () => {
    const p = plan([active('240.0.0.0', 'a', 3), active('240.0.0.1', 'b')], ['b']);
    expect(p.writes).toEqual([
      { op: 'update', name: '240-0-0-0', spec: { ip: '240.0.0.0', freedAt: new Date(NOW).toISOString() }, labels: { 'kuma.io/former-service': 'a' }, expectedVersion: 3 },
    ]);
    expect(p.freed).toEqual([{ service: 'a', ip: '240.0.0.0' }]);
  });

  it('does not hand a quarantined VIP to another service, and does once the quarantine is over', () => {
    const rows = [freed('240.0.0.0', NOW - Q + 1, 'old'), active('240.0.0.1', 'b')];
    const during = plan(rows, ['b', 'new']);
    expect(during.allocated).toEqual([{ service: 'new', ip: '240.0.0.2', reused: false }]);
    expect(during.nextRelease).toBe(NOW + 1);

    const after = plan(rows, ['b', 'new'], { now: NOW + 1 });
    expect(after.allocated).toEqual([{ service: 'new', ip: '240.0.0.0', reused: false }]);
    expect(byName(after.writes)['240-0-0-0']).toMatchObject({ op: 'update', spec: { ip: '240.0.0.0', service: 'new' }, labels: {}, expectedVersion: 2 });
  });

  it('gives a service that comes back its old VIP, during quarantine and after', () => {
    const rows = [freed('240.0.0.5', NOW - 1000, 'a'), freed('240.0.0.0', NOW - 10 * Q, 'b')];
    const p = plan(rows, ['a', 'b', 'c']);
    expect(p.allocated).toEqual([
      { service: 'a', ip: '240.0.0.5', reused: true },
      { service: 'b', ip: '240.0.0.0', reused: true },
      { service: 'c', ip: '240.0.0.1', reused: false },
    ]);
  });

  it('reports exhaustion, leaves existing VIPs alone, and says when a quarantined VIP frees up', () => {
    const cidr = parseCidr('10.0.0.0/30');
    const rows = [active('10.0.0.0', 'a'), active('10.0.0.1', 'b'), freed('10.0.0.2', NOW - 1000, 'gone')];
    const p = plan(rows, ['a', 'b', 'c', 'd', 'e'], { cidr });
    expect(p.allocated).toEqual([{ service: 'c', ip: '10.0.0.3', reused: false }]);
    expect(p.unallocated).toEqual(['d', 'e']);
    expect(p.writes.every((w) => w.op === 'create')).toBe(true);
    expect(p.nextRelease).toBe(NOW - 1000 + Q);
  });

  it('moves VIPs outside a changed CIDR into it and deletes old rows once released', () => {
    const cidr = parseCidr('241.0.0.0/24');
    const p = plan([active('240.0.0.0', 'a'), freed('240.0.0.1', NOW - 2 * Q)], ['a'], { cidr });
    expect(byName(p.writes)).toEqual({
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
      '240-0-0-0': expect.objectContaining({ op: 'update', spec: expect.objectContaining({ freedAt: expect.any(String) }) }),
      '240-0-0-1': { op: 'delete', name: '240-0-0-1' },
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
      '241-0-0-0': expect.objectContaining({ op: 'create', spec: { ip: '241.0.0.0', service: 'a' } }),
    });
  });

  it('frees duplicate VIPs of one service, keeping the lowest', () => {
    const p = plan([active('240.0.0.3', 'a'), active('240.0.0.1', 'a')], ['a']);
    expect(p.freed).toEqual([{ service: 'a', ip: '240.0.0.3' }]);
    expect(p.allocated).toEqual([]);
  });

  it('stays linear for many services', () => {
    const services = Array.from({ length: 20_000 }, (_, i) => `svc-${String(i).padStart(5, '0')}`);
    const p = plan([], services);
    expect(p.writes).toHaveLength(20_000);
    expect(p.allocated.at(-1)).toEqual({ service: 'svc-19999', ip: '240.0.78.31', reused: false });
  });
});
