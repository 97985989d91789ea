import type { Component } from '../core/runtime/component.js';
import type { Runtime } from '../core/runtime/runtime.js';
import { aliveInstances } from '../core/runtime/instance-registry.js';
import { periodicComponent } from '../core/runtime/periodic-component.js';
import { kdsServerComponent } from './global/kds-server.js';
import { InsightTracker } from '../core/insights/insight-tracker.js';
import { zoneInsightKind } from './global/zone-insights.js';
import { kdsClientComponent } from './remote/kds-client.js';

/** The global's KDS components (server on multizone.global.kds.grpcPort). */
export function kdsGlobalComponents(rt: Runtime): Component[] {
  return [kdsServerComponent(rt), zoneSubscriptionSweeper(rt)];
}

/** How often the leader closes zone subscriptions held by global instances that are gone. */
const SWEEP_INTERVAL_MS = 10_000;

/** Leader-only: a zone whose stream was on a crashed global instance shows offline on every instance. */
function zoneSubscriptionSweeper(rt: Runtime): Component {
  const log = rt.logger('zone-subscription-sweeper');
  const insights = new InsightTracker(zoneInsightKind, rt.manager, log);
  return periodicComponent('zone-subscription-sweeper', SWEEP_INTERVAL_MS, async () => {
    await rt.view.start();
    await insights.closeStale(rt.view, await aliveInstances(rt));
  }, { leaderOnly: true, log });
}

/** The zone's KDS components (leader-only client to multizone.remote.globalAddress). */
export function kdsRemoteComponents(rt: Runtime): Component[] {
  return [kdsClientComponent(rt)];
}
