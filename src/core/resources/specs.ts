/**
 * TypeScript shapes of the specs, inferred from the zod schemas in ./schemas/ (the runtime truth): the
 * output of a schema, i.e. a spec as stored (defaults applied, unknown fields dropped). There is no
 * hand-written copy of a shape. A schema file declares the types its own rules need (Selector, MeshSpec...);
 * they are re-exported here, so that the schemas never import this file (no import cycle). Field names
 * follow Kuma 1.1 proto JSON (lowerCamelCase). Durations are strings like "5s", "1h", "250ms".
 */
import type { z } from 'zod';
import type { connectionPolicySchema, selectorPolicySchema } from './schemas/connection-policy.js';
import type { circuitBreakerSchema } from './schemas/circuit-breaker.js';
import type { DataplaneSpec } from './schemas/dataplane.js';
import type { externalServiceSchema } from './schemas/external-service.js';
import type { healthCheckSchema } from './schemas/health-check.js';
import type { dataplaneInsightSchema, discoverySubscriptionSchema, kdsSubscriptionSchema, zoneInsightSchema } from './schemas/insights.js';
import type { proxyTemplateSchema } from './schemas/proxy-template.js';
import type { retrySchema } from './schemas/retry.js';
import type { secretSchema } from './schemas/secret.js';
import type { timeoutSchema } from './schemas/timeout.js';
import type { trafficPermissionSchema } from './schemas/traffic-permission.js';
import type { trafficRouteSchema } from './schemas/traffic-route.js';
import type { virtualIpSchema } from './schemas/virtual-ip.js';
import type { zoneIngressSchema } from './schemas/zone-ingress.js';
import type { zoneSchema } from './schemas/zone.js';

export { PROTOCOL_TAG, PROTOCOLS, SERVICE_TAG, ZONE_TAG, type Protocol, type Tags } from './well-known-tags.js';
export type { Selector } from './schemas/selectors.js';
export type { MeshSpec } from './schemas/mesh.js';
export type { DataplaneSpec } from './schemas/dataplane.js';
export type { AvailableService } from './schemas/available-services.js';
export type { DataSource } from './schemas/data-source.js';
export type { RetryBackOff } from './schemas/retry.js';
export type { DiscoveryTypeStats } from './schemas/insights.js';

export type DataplaneInbound = NonNullable<DataplaneSpec['networking']['inbound']>[number];
export type InboundHealth = NonNullable<DataplaneInbound['health']>;
export type DataplaneOutbound = NonNullable<DataplaneSpec['networking']['outbound']>[number];

export type ZoneIngressSpec = z.output<typeof zoneIngressSchema>;

export type ExternalServiceSpec = z.output<typeof externalServiceSchema>;

/** `{sources, destinations, conf}` with a policy's own `conf` type. */
export type ConnectionPolicySpec<C = Record<string, unknown>> = Omit<z.output<ReturnType<typeof connectionPolicySchema<z.ZodNever>>>, 'conf'> & { conf?: C };

export type TrafficPermissionSpec = z.output<typeof trafficPermissionSchema>;
export type TrafficRouteSpec = z.output<typeof trafficRouteSchema>;
export type TrafficRouteConf = NonNullable<TrafficRouteSpec['conf']>;
export type TrafficRouteSplit = NonNullable<TrafficRouteConf['split']>[number];
export type { LoadBalancer } from './schemas/traffic-route.js';

export type TimeoutSpec = z.output<typeof timeoutSchema>;
export type TimeoutConf = NonNullable<TimeoutSpec['conf']>;

export type RetrySpec = z.output<typeof retrySchema>;
export type RetryConf = NonNullable<RetrySpec['conf']>;

export type HealthCheckConf = NonNullable<z.output<typeof healthCheckSchema>['conf']>;
export type CircuitBreakerConf = NonNullable<z.output<typeof circuitBreakerSchema>['conf']>;

/** Policies selected by `selectors` instead of sources/destinations (TrafficTrace, ProxyTemplate). */
export type SelectorPolicySpec<C = Record<string, unknown>> = Omit<z.output<ReturnType<typeof selectorPolicySchema<z.ZodNever>>>, 'conf'> & { conf?: C };

export type ProxyTemplateSpec = z.output<typeof proxyTemplateSchema>;
export type ProxyTemplateConf = NonNullable<ProxyTemplateSpec['conf']>;
export type ProxyTemplateModification = NonNullable<ProxyTemplateConf['modifications']>[number];

export type SecretSpec = z.output<typeof secretSchema>;

export type ZoneSpec = z.output<typeof zoneSchema>;

export type DiscoverySubscription = z.output<typeof discoverySubscriptionSchema>;
export type DataplaneInsightSpec = z.output<typeof dataplaneInsightSchema>;
export type KdsSubscription = z.output<typeof kdsSubscriptionSchema>;
export type ZoneInsightSpec = z.output<typeof zoneInsightSchema>;

/** Internal: one row per allocated virtual IP (DNS). Name = the IP with dots replaced by dashes. */
export type VirtualIPSpec = z.output<typeof virtualIpSchema>;
