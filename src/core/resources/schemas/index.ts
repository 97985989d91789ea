import type { z } from 'zod';
import type { ResourceTypeName } from '../model.js';
import type { SpecValidator } from './define.js';
import { circuitBreakerSchema, validateCircuitBreaker } from './circuit-breaker.js';
import { dataplaneSchema, validateDataplane } from './dataplane.js';
import { externalServiceSchema, validateExternalService } from './external-service.js';
import { faultInjectionSchema, validateFaultInjection } from './fault-injection.js';
import { healthCheckSchema, validateHealthCheck } from './health-check.js';
import { dataplaneInsightSchema, validateDataplaneInsight, validateZoneIngressInsight, validateZoneInsight, zoneInsightSchema } from './insights.js';
import { meshSchema, validateMesh } from './mesh.js';
import { proxyTemplateSchema, validateProxyTemplate } from './proxy-template.js';
import { rateLimitSchema, validateRateLimit } from './rate-limit.js';
import { retrySchema, validateRetry } from './retry.js';
import { secretSchema, validateSecret } from './secret.js';
import { timeoutSchema, validateTimeout } from './timeout.js';
import { trafficLogSchema, validateTrafficLog } from './traffic-log.js';
import { trafficPermissionSchema, validateTrafficPermission } from './traffic-permission.js';
import { trafficRouteSchema, validateTrafficRoute } from './traffic-route.js';
import { trafficTraceSchema, validateTrafficTrace } from './traffic-trace.js';
import { virtualIpSchema, validateVirtualIP } from './virtual-ip.js';
import { zoneSchema, validateZone } from './zone.js';
import { zoneIngressSchema, validateZoneIngress } from './zone-ingress.js';

/** The zod schema of every resource type: a spec's TypeScript type is its output (`SpecOf`). */
export const specSchemas = {
  Mesh: meshSchema,
  Dataplane: dataplaneSchema,
  ExternalService: externalServiceSchema,
  TrafficPermission: trafficPermissionSchema,
  TrafficRoute: trafficRouteSchema,
  HealthCheck: healthCheckSchema,
  CircuitBreaker: circuitBreakerSchema,
  FaultInjection: faultInjectionSchema,
  TrafficLog: trafficLogSchema,
  TrafficTrace: trafficTraceSchema,
  ProxyTemplate: proxyTemplateSchema,
  Retry: retrySchema,
  Timeout: timeoutSchema,
  RateLimit: rateLimitSchema,
  Secret: secretSchema,
  GlobalSecret: secretSchema,
  Zone: zoneSchema,
  ZoneIngress: zoneIngressSchema,
  DataplaneInsight: dataplaneInsightSchema,
  ZoneInsight: zoneInsightSchema,
  ZoneIngressInsight: dataplaneInsightSchema,
  VirtualIP: virtualIpSchema,
} as const satisfies Record<ResourceTypeName, z.ZodType>;

/** The spec type of a resource type, inferred from its schema. */
export type SpecOf<N extends ResourceTypeName> = z.output<(typeof specSchemas)[N]>;

/**
 * The spec validator of every resource type: returns the spec normalised (unknown fields refused,
 * defaults applied) or throws ValidationError with every violation, using Kuma's field paths.
 */
export const specValidators: Readonly<Record<ResourceTypeName, SpecValidator>> = {
  Mesh: validateMesh,
  Dataplane: validateDataplane,
  ExternalService: validateExternalService,
  TrafficPermission: validateTrafficPermission,
  TrafficRoute: validateTrafficRoute,
  HealthCheck: validateHealthCheck,
  CircuitBreaker: validateCircuitBreaker,
  FaultInjection: validateFaultInjection,
  TrafficLog: validateTrafficLog,
  TrafficTrace: validateTrafficTrace,
  ProxyTemplate: validateProxyTemplate,
  Retry: validateRetry,
  Timeout: validateTimeout,
  RateLimit: validateRateLimit,
  Secret: validateSecret,
  GlobalSecret: validateSecret,
  Zone: validateZone,
  ZoneIngress: validateZoneIngress,
  DataplaneInsight: validateDataplaneInsight,
  ZoneInsight: validateZoneInsight,
  ZoneIngressInsight: validateZoneIngressInsight,
  VirtualIP: validateVirtualIP,
};

export { parseDuration, parseDurationNanos, durationMillis, type DurationParts } from './durations.js';
