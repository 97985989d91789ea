import type { Component } from './core/runtime/component.js';
import type { Runtime } from './core/runtime/runtime.js';
import { apiServerComponent } from './api-server/api-server.js';
import { defaultsComponent } from './core/defaults/defaults-component.js';
import { dataplaneGcComponent } from './core/gc/dataplane-gc-component.js';
import { diagnosticsComponent, type Readiness } from './diagnostics/diagnostics-server.js';
import type { Mode } from './config/schema.js';
import { dnsComponents } from './dns/dns-components.js';
import { madsServerComponent } from './mads/mads-server.js';
import { kdsGlobalComponents, kdsRemoteComponents } from './kds/components.js';
import { bootstrapComponents } from './xds/bootstrap/bootstrap-server.js';
import { dryRunnerFor } from './xds/inspect/dry-run.js';
import { matchedPolicies } from './xds/inspect/matched-policies.js';
import { XdsStateRegistry } from './xds/inspect/xds-state-registry.js';
import { globalDpRefusalComponent, xdsComponents } from './xds/server/components.js';
import { availableServicesComponent } from './xds/ingress/available-services-component.js';

/**
 * What one feature must tell another at run time: ports bound (port 0 in the config = picked at bind) and
 * the xDS server's read-only state for the API's inspect endpoints.
 */
interface BoundPorts {
  dpServer?: number;
  xdsState?: XdsStateRegistry;
}

interface Feature {
  readonly name: string;
  readonly modes: readonly Mode[];
  components(rt: Runtime, readiness: Readiness, bound: BoundPorts): Component[];
}

/** Which parts of the control plane run in which mode (after Kuma 1.x run.go). */
export const features: readonly Feature[] = [
  {
    name: 'api-server',
    modes: ['standalone', 'global', 'remote'],
    components: (rt, _r, bound) => [apiServerComponent(rt, { matchPolicies: matchedPolicies, xds: () => bound.xdsState, dryRun: dryRunnerFor(rt, () => bound.xdsState) })],
  },
  { name: 'diagnostics', modes: ['standalone', 'global', 'remote'], components: (rt, r) => [diagnosticsComponent(rt, r)] },
  { name: 'defaults', modes: ['standalone', 'global'], components: (rt) => [defaultsComponent(rt)] },
  // Data planes live (and are deleted) where their proxies connect; the global learns of it over KDS.
  { name: 'dataplane-gc', modes: ['standalone', 'remote'], components: (rt) => [dataplaneGcComponent(rt)].filter((c) => c !== undefined) },
  {
    name: 'xds',
    modes: ['standalone', 'remote'],
    components: (rt, _r, bound) => xdsComponents(rt, { onListening: (port) => (bound.dpServer = port), state: (bound.xdsState = new XdsStateRegistry()) }),
  },
  // Bootstraps point data planes at the xDS port actually bound.
  { name: 'bootstrap', modes: ['standalone', 'remote'], components: (rt, _r, bound) => bootstrapComponents(rt, { xdsPort: () => bound.dpServer }) },
  // A data plane that dials a global CP gets a clear refusal instead of a connection error.
  { name: 'dp-refusal', modes: ['global'], components: (rt) => [globalDpRefusalComponent(rt)] },
  // The leader keeps this zone's ingresses' availableServices in step with its Dataplanes.
  { name: 'ingress-available-services', modes: ['standalone', 'remote'], components: (rt) => [availableServicesComponent(rt)] },
  { name: 'dns', modes: ['standalone', 'remote'], components: (rt) => dnsComponents(rt) },
  // Prometheus discovers the data planes of this zone (kuma_sd_configs) where they connect.
  { name: 'mads', modes: ['standalone', 'remote'], components: (rt) => [madsServerComponent(rt)] },
  { name: 'kds-global', modes: ['global'], components: (rt) => kdsGlobalComponents(rt) },
  { name: 'kds-remote', modes: ['remote'], components: (rt) => kdsRemoteComponents(rt) },
];

export function componentsFor(rt: Runtime, readiness: Readiness): Component[] {
  const bound: BoundPorts = {};
  return features.filter((f) => f.modes.includes(rt.config.mode)).flatMap((f) => f.components(rt, readiness, bound));
}
