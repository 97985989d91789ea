import type { Component } from '../core/runtime/component.js';
import type { Runtime } from '../core/runtime/runtime.js';
import { dnsServerComponent } from './dns-server-component.js';
import { vipAllocatorComponent } from './vip-allocator-component.js';

/** DNS for standalone and remote modes (not global): the resolver on every instance, the VIP allocator on the leader. */
export function dnsComponents(rt: Runtime): Component[] {
  return [dnsServerComponent(rt), vipAllocatorComponent(rt)];
}
