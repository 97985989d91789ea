import type { Resource } from '../../core/resources/model.js';
import type { ConnectionPolicySpec, ProxyTemplateSpec, RetryConf, TimeoutConf, TrafficRouteConf } from '../../core/resources/specs.js';
import type { FaultInjectionPolicy, RateLimitPolicy } from './inbound-http-policies.js';
import type { CircuitBreakerConf, HealthCheckConf } from './policy-conf.js';
import type { TrafficLogPolicy } from './traffic-log.js';
import type { TrafficTracePolicy } from './traffic-trace.js';

/** A mesh's policies by kind, typed, as one MeshSnapshot holds them. */
export interface MeshPolicies {
  readonly trafficRoutes: readonly Resource<ConnectionPolicySpec<TrafficRouteConf>>[];
  readonly trafficPermissions: readonly Resource<ConnectionPolicySpec<unknown>>[];
  readonly timeouts: readonly Resource<ConnectionPolicySpec<TimeoutConf>>[];
  readonly retries: readonly Resource<ConnectionPolicySpec<RetryConf>>[];
  readonly healthChecks: readonly Resource<ConnectionPolicySpec<HealthCheckConf>>[];
  readonly circuitBreakers: readonly Resource<ConnectionPolicySpec<CircuitBreakerConf>>[];
  readonly trafficLogs: readonly TrafficLogPolicy[];
  readonly trafficTraces: readonly TrafficTracePolicy[];
  readonly proxyTemplates: readonly Resource<ProxyTemplateSpec>[];
  readonly faultInjections: readonly FaultInjectionPolicy[];
  readonly rateLimits: readonly RateLimitPolicy[];
}
