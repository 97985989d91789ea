import type { Component } from './core/runtime/component.js';
import type { Runtime } from './core/runtime/runtime.js';
import { apiServerComponent } from './api-server/api-server.js';
import { defaultsComponent } from './core/defaults/defaults-component.js';
import { diagnosticsComponent, type Readiness } from './diagnostics/diagnostics-server.js';
import type { Mode } from './config/schema.js';

interface Feature {
  readonly name: string;
  readonly modes: readonly Mode[];
  components(rt: Runtime, readiness: Readiness): Component[];
}

/** Which parts of the control plane run in which mode (Kuma 1.x run.go). */
export const features: readonly Feature[] = [
  { name: 'api-server', modes: ['standalone', 'global', 'remote'], components: (rt) => [apiServerComponent(rt)] },
  { name: 'diagnostics', modes: ['standalone', 'global', 'remote'], components: (rt, r) => [diagnosticsComponent(rt, r)] },
  { name: 'defaults', modes: ['standalone', 'global'], components: (rt) => [defaultsComponent(rt)] },
];

export function componentsFor(rt: Runtime, readiness: Readiness): Component[] {
  return features.filter((f) => f.modes.includes(rt.config.mode)).flatMap((f) => f.components(rt, readiness));
}
