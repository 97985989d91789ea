import type { Logger } from '../core/logging.js';
import type { AnyResource } from '../core/resources/typed-resource.js';
import type { Component } from '../core/runtime/component.js';
import type { Runtime } from '../core/runtime/runtime.js';
import type { BatchWrite } from '../core/store/resource-store.js';
import { parseCidr, type Cidr } from './cidr.js';
import { ServiceIndex } from './service-index.js';
import { followView } from './view-follower.js';
import { toVipRow, type VipRow } from './virtual-ip.js';
import { planVips, quarantineMs, type VipPlan, type VipWrite } from './vip-plan.js';
import { untilAborted } from '../core/runtime/abort.js';

export interface AllocatorOptions {
  /** Clock (epoch ms); tests pass a fake one. */
  readonly now?: () => number;
  /** Coalescing window for bursts of store events. */
  readonly debounceMs?: number;
}

const DEFAULT_DEBOUNCE_MS = 10;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
/** Above this many allocations in one pass, log a summary at info and each one at debug. */
const DETAIL_LINES = 20;

/**
 * Leader-only: gives every `kuma.io/service` (all meshes) one VIP from `dnsServer.CIDR`, one VirtualIP
 * row per VIP, written through the manager. Reacts to store events (coalesced over a few ms) after an
 * initial full pass; no polling. Retries failed writes with back-off; re-plans when a quarantined VIP
 * becomes reusable while services are waiting for one.
 */
export function vipAllocatorComponent(rt: Runtime, options: AllocatorOptions = {}): Component {
  return {
    name: 'vip-allocator',
    leaderOnly: true,
    async start(signal, ready) {
      const log = rt.logger('vip-allocator');
      const cidr = parseCidr(rt.config.dnsServer.CIDR);
      const allocator = new Allocator(rt, cidr, quarantineMs(rt.config.dnsServer.ttl), options, log);
      const unsubscribe = await followView(rt.view, 'vip-allocator', ['Mesh', 'Dataplane', 'ExternalService', 'ZoneIngress', 'VirtualIP'], allocator);
      try {
        await allocator.flush();
        log.info({ cidr: rt.config.dnsServer.CIDR, services: allocator.serviceCount() }, 'vip allocator started');
        ready();
        await untilAborted(signal);
      } finally {
        unsubscribe();
        await allocator.stop();
      }
    },
  };
}

class Allocator {
  private readonly index = new ServiceIndex();
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  private running: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;
  private retryMs = RETRY_MIN_MS;
  private exhausted = false;
  private readonly now: () => number;

  constructor(
    private readonly rt: Runtime,
    private readonly cidr: Cidr,
    private readonly quarantine: number,
    private readonly options: AllocatorOptions,
    private readonly log: Logger,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** VirtualIP changes only trigger a pass: a pass reads the rows from the view, current up to the last commit. */
  upsert(r: AnyResource): void {
    if (r.type !== 'VirtualIP') this.index.upsert(r);
  }

  remove(r: AnyResource): void {
    if (r.type !== 'VirtualIP') this.index.remove(r);
  }

  changed(): void {
    this.schedule(this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  serviceCount(): number {
    return this.index.services().length;
  }

  /** One planning pass now (or right after the one in progress). */
  async flush(): Promise<void> {
    if (this.running) {
      this.dirty = true;
      return this.running;
    }
    this.clearTimer();
    this.dirty = false;
    this.running = this.pass().then((wakeInMs) => {
      this.running = undefined;
      const delay = this.dirty ? 0 : wakeInMs;
      if (delay !== undefined) this.schedule(delay);
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    await this.running;
    this.clearTimer();
  }

  /** Runs a pass in `delayMs`, unless one is already due sooner. */
  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    const due = performance.now() + delayMs;
    if (this.timer && this.timerDue <= due) return;
    this.clearTimer();
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Never throws. Returns when the next pass is needed without any new event (retry, quarantine release). */
  private async pass(): Promise<number | undefined> {
    const now = this.now();
    const plan = planVips({ rows: this.vipRows(), services: this.index.services(), cidr: this.cidr, now, quarantineMs: this.quarantine });
    try {
      if (plan.writes.length > 0) await this.rt.manager.transact(plan.writes.map(toBatchWrite));
    } catch (err) {
      const retryIn = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      this.log.warn({ err, writes: plan.writes.length, retryInMs: retryIn }, 'VIP allocation failed, will retry');
      this.dirty = false; // the retry re-plans from the latest state anyway
      return retryIn;
    }
    this.retryMs = RETRY_MIN_MS;
    this.report(plan);
    return plan.unallocated.length > 0 && plan.nextRelease !== undefined ? Math.max(0, plan.nextRelease - now) : undefined;
  }

  private vipRows(): VipRow[] {
    const rows: VipRow[] = [];
    for (const r of this.rt.view.list('VirtualIP')) {
      const row = toVipRow(r);
      if (row) rows.push(row);
    }
    return rows;
  }

  private report(plan: VipPlan): void {
    const detail = plan.allocated.length + plan.freed.length <= DETAIL_LINES ? 'info' : 'debug';
    for (const a of plan.allocated) this.log[detail]({ service: a.service, vip: a.ip, reused: a.reused }, 'VIP allocated');
    for (const f of plan.freed) this.log[detail]({ service: f.service, vip: f.ip, quarantineMs: this.quarantine }, 'VIP freed, quarantined');
    if (detail === 'debug') this.log.info({ allocated: plan.allocated.length, freed: plan.freed.length }, 'VIPs updated');
    if (plan.unallocated.length > 0 && !this.exhausted) {
      this.log.warn({ cidr: this.rt.config.dnsServer.CIDR, unallocated: plan.unallocated.length, services: plan.unallocated.slice(0, 10) }, 'VIP CIDR exhausted: services left without a VIP');
    } else if (plan.unallocated.length === 0 && this.exhausted) {
      this.log.info({ cidr: this.rt.config.dnsServer.CIDR }, 'VIP CIDR has room again: every service has a VIP');
    }
    this.exhausted = plan.unallocated.length > 0;
  }
}

function toBatchWrite(w: VipWrite): BatchWrite {
  const key = { name: w.name, mesh: '' };
  switch (w.op) {
    case 'create':
      return { op: 'create', type: 'VirtualIP', key, spec: { ...w.spec }, options: { labels: w.labels } };
    case 'update':
      return { op: 'update', type: 'VirtualIP', key, spec: { ...w.spec }, options: { labels: w.labels, expectedVersion: w.expectedVersion } };
    case 'delete':
      return { op: 'delete', type: 'VirtualIP', key };
  }
}
