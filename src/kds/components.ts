import type { Component } from '../core/runtime/component.js';
import type { Runtime } from '../core/runtime/runtime.js';
import { kdsServerComponent } from './global/kds-server.js';
import { kdsClientComponent } from './remote/kds-client.js';

/** The global's KDS components (server on multizone.global.kds.grpcPort). */
export function kdsGlobalComponents(rt: Runtime): Component[] {
  return [kdsServerComponent(rt)];
}

/** The zone's KDS components (leader-only client to multizone.remote.globalAddress). */
export function kdsRemoteComponents(rt: Runtime): Component[] {
  return [kdsClientComponent(rt)];
}
