import type { ResourceTypeName } from '../model.js';
import type { SpecValidator } from '../registry.js';
import { validateCircuitBreaker } from './circuit-breaker.js';
import { validateDataplane } from './dataplane.js';
import { validateExternalService } from './external-service.js';
import { validateFaultInjection } from './fault-injection.js';
import { validateHealthCheck } from './health-check.js';
import { validateDataplaneInsight, validateZoneIngressInsight, validateZoneInsight } from './insights.js';
import { validateMesh } from './mesh.js';
import { validateProxyTemplate } from './proxy-template.js';
import { validateRateLimit } from './rate-limit.js';
import { validateRetry } from './retry.js';
import { validateSecret } from './secret.js';
import { validateTimeout } from './timeout.js';
import { validateTrafficLog } from './traffic-log.js';
import { validateTrafficPermission } from './traffic-permission.js';
import { validateTrafficRoute } from './traffic-route.js';
import { validateTrafficTrace } from './traffic-trace.js';
import { validateVirtualIP } from './virtual-ip.js';
import { validateZone } from './zone.js';
import { validateZoneIngress } from './zone-ingress.js';

/**
 * The spec validator of every resource type: returns the spec normalised (unknown fields refused,
 * defaults applied) or throws ValidationError with every violation, using Kuma's field paths.
 */
export const specValidators: Record<ResourceTypeName, SpecValidator> = {
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
