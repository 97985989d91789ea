import type { VirtualIPSpec } from '../core/resources/specs.js';
import { cidrContains, intToIp, vipResourceName, type Cidr } from './cidr.js';
import { FORMER_SERVICE_LABEL, type VipRow } from './virtual-ip.js';

/**
 * How long a freed VIP stays out of use: longer than any answer carrying it can stay cached
 * (the DNS TTL), with a floor, so that a client holding a stale answer never reaches a different
 * service (Kuma #13463): max(2 x TTL, 60 s).
 */
export function quarantineMs(ttlSeconds: number): number {
  return Math.max(2 * ttlSeconds, 60) * 1000;
}

export interface PlanInput {
  readonly rows: readonly VipRow[];
  /** Services that need a VIP, sorted. */
  readonly services: readonly string[];
  readonly cidr: Cidr;
  /** Epoch ms. */
  readonly now: number;
  readonly quarantineMs: number;
}

export type VipWrite =
  | { readonly op: 'create'; readonly name: string; readonly spec: VirtualIPSpec; readonly labels: Record<string, string> }
  | { readonly op: 'update'; readonly name: string; readonly spec: VirtualIPSpec; readonly labels: Record<string, string>; readonly expectedVersion: number }
  | { readonly op: 'delete'; readonly name: string };

export interface VipPlan {
  readonly writes: VipWrite[];
  /** `reused`: the service got back the VIP it held before. */
  readonly allocated: { readonly service: string; readonly ip: string; readonly reused: boolean }[];
  readonly freed: { readonly service: string; readonly ip: string }[];
  /** Services left without a VIP because the CIDR is exhausted. */
  readonly unallocated: string[];
  /** Epoch ms at which the next quarantined VIP becomes reusable, if any. */
  readonly nextRelease?: number;
}

/**
 * Pure: the writes that make the VirtualIP rows match the service set.
 * - A service keeps its VIP. A service without one gets back the VIP it held before (quarantined or
 *   not yet reused), else the lowest free address of the CIDR (the first is the network address,
 *   as in Kuma), counting quarantine-expired VIPs as free. Services are handled in sorted order.
 * - A VIP whose service vanished, or that lies outside a changed CIDR, or that duplicates another
 *   VIP of the same service, is freed: the row stays with `freedAt` and a former-service label.
 * - Freed rows outside the CIDR are deleted once their quarantine is over.
 * - When the CIDR is exhausted the remaining services are reported; existing VIPs are untouched.
 */
export function planVips(input: PlanInput): VipPlan {
  const { cidr, now } = input;
  const desired = new Set(input.services);
  const plan: { writes: VipWrite[]; allocated: VipPlan['allocated']; freed: VipPlan['freed']; unallocated: string[]; nextRelease?: number } = {
    writes: [],
    allocated: [],
    freed: [],
    unallocated: [],
  };
  const sorted = [...input.rows].sort((a, b) => a.ipInt - b.ipInt);
  const held = new Map<string, VipRow>();
  /** Freed rows by former service, and freed rows usable by anyone, both inside the CIDR. */
  const formerOf = new Map<string, VipRow>();
  const reusable: VipRow[] = [];
  const releaseAt = (row: VipRow): number => (row.freedAt ?? 0) + input.quarantineMs;

  for (const row of sorted) {
    if (row.service === undefined) continue;
    const inCidr = cidrContains(cidr, row.ipInt);
    if (inCidr && desired.has(row.service) && !held.has(row.service)) {
      held.set(row.service, row);
      continue;
    }
    plan.writes.push(freeWrite(row, row.service, now));
    plan.freed.push({ service: row.service, ip: row.ip });
    trackRelease(plan, now + input.quarantineMs);
  }
  for (const row of sorted) {
    if (row.service !== undefined) continue;
    const released = releaseAt(row) <= now;
    if (!cidrContains(cidr, row.ipInt)) {
      if (released) plan.writes.push({ op: 'delete', name: row.name });
      continue;
    }
    const former = row.formerService;
    if (former !== undefined && desired.has(former) && !held.has(former) && !formerOf.has(former)) formerOf.set(former, row);
    else if (released) reusable.push(row);
    else trackRelease(plan, releaseAt(row));
  }

  const rowIps = new Set(sorted.map((r) => r.ipInt));
  const end = cidr.first + cidr.size;
  let next = cidr.first;
  let reuseIdx = 0;
  for (const service of input.services) {
    if (held.has(service)) continue;
    const former = formerOf.get(service);
    if (former) {
      plan.writes.push(holdWrite(former, service));
      plan.allocated.push({ service, ip: former.ip, reused: true });
      formerOf.delete(service);
      continue;
    }
    while (next < end && rowIps.has(next)) next++;
    const candidate = reusable[reuseIdx];
    if (candidate && (next >= end || candidate.ipInt < next)) {
      reuseIdx++;
      plan.writes.push(holdWrite(candidate, service));
      plan.allocated.push({ service, ip: candidate.ip, reused: false });
    } else if (next < end) {
      const ip = intToIp(next);
      rowIps.add(next);
      plan.writes.push({ op: 'create', name: vipResourceName(ip), spec: { ip, service }, labels: {} });
      plan.allocated.push({ service, ip, reused: false });
    } else {
      plan.unallocated.push(service);
    }
  }
  return plan;
}

function trackRelease(plan: { nextRelease?: number }, at: number): void {
  if (plan.nextRelease === undefined || at < plan.nextRelease) plan.nextRelease = at;
}

function freeWrite(row: VipRow, service: string, now: number): VipWrite {
  return { op: 'update', name: row.name, spec: { ip: row.ip, freedAt: new Date(now).toISOString() }, labels: { [FORMER_SERVICE_LABEL]: service }, expectedVersion: row.version };
}

function holdWrite(row: VipRow, service: string): VipWrite {
  return { op: 'update', name: row.name, spec: { ip: row.ip, service }, labels: {}, expectedVersion: row.version };
}
