import type { ResourceTypeName, Spec } from '../model.js';
import type { SpecValidator } from '../registry.js';
import { ValidationError } from '../../errors.js';

/** Interim: every type accepts any JSON object; per-type rules replace these entries. */
function objectSpec(spec: unknown): Spec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new ValidationError([{ field: '', message: 'must be an object' }]);
  }
  return { ...(spec as Spec) };
}

export const specValidators: Record<ResourceTypeName, SpecValidator> = {
  Mesh: objectSpec,
  Dataplane: objectSpec,
  ExternalService: objectSpec,
  TrafficPermission: objectSpec,
  TrafficRoute: objectSpec,
  HealthCheck: objectSpec,
  CircuitBreaker: objectSpec,
  FaultInjection: objectSpec,
  TrafficLog: objectSpec,
  TrafficTrace: objectSpec,
  ProxyTemplate: objectSpec,
  Retry: objectSpec,
  Timeout: objectSpec,
  RateLimit: objectSpec,
  Secret: objectSpec,
  GlobalSecret: objectSpec,
  Zone: objectSpec,
  ZoneIngress: objectSpec,
  DataplaneInsight: objectSpec,
  ZoneInsight: objectSpec,
  ZoneIngressInsight: objectSpec,
  VirtualIP: objectSpec,
};
