import type { Resource, ResourceTypeName } from '../resources/model.js';
import { asResourceOf } from '../resources/typed-resource.js';
import type { StoreEvent, StoreOp } from './resource-store.js';

/** Builds the event of a change of `resource`, stored under `type` (the one place an event becomes typed). */
export function storeEvent(op: StoreOp, type: ResourceTypeName, resource: Resource): StoreEvent {
  return { op, type, resource: asResourceOf(type, resource) } as StoreEvent;
}
