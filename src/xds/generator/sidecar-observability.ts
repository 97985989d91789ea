import type { DataplaneSpec, Tags } from '../../core/resources/specs.js';
import type { TracingOptions } from '../envoy/tracing.js';
import type { MeshSnapshot } from './mesh-snapshot.js';
import type { OutboundProtocol } from './policy-conf.js';
import { isHttp } from './protocol.js';
import { identifyingService, logSourceOf, outboundAccessLog, type AccessLogParams, type LogSource } from './traffic-log.js';
import { proxyTracing, rankedProxyTracing, tracingOptions, tracingService } from './traffic-trace.js';
import type { MeshSourceRanks } from './outbound-plan.js';

/**
 * What a sidecar's shared part (outbound listeners) reads of the proxy itself for TrafficLog and
 * TrafficTrace, beyond its source key: the placeholder values of its log lines and, for Datadog, the service
 * its spans are reported under. Both null for a proxy no TrafficLog / Datadog TrafficTrace selects, so
 * such proxies keep sharing by source key alone.
 */
export interface ObservabilityParams {
  readonly logSource: LogSource | null;
  readonly traceService: string | null;
}

export function observabilityParams(snap: MeshSnapshot, spec: DataplaneSpec, source: readonly Tags[]): ObservabilityParams {
  return { logSource: logSourceOf(snap, spec, source), traceService: tracingService(proxyTracing(snap, source), identifyingService(source)) };
}

export interface OutboundObservability {
  readonly accessLog: AccessLogParams | null;
  readonly tracing: TracingOptions | null;
}

/** The access log and (HTTP only) tracing of the outbound listener to `service`. */
export function outboundObservability(snap: MeshSnapshot, params: ObservabilityParams, ranks: MeshSourceRanks, service: string, protocol: OutboundProtocol): OutboundObservability {
  const tracing = isHttp(protocol) ? tracingOptions(rankedProxyTracing(snap, ranks.trafficTraces), params.traceService ?? '') : null;
  return { accessLog: outboundAccessLog(snap, ranks.trafficLogs, params.logSource, service, protocol), tracing };
}

/** The tracing of the proxy's inbound HTTP listener of `service`. */
export function inboundTracing(snap: MeshSnapshot, source: readonly Tags[], service: string, protocol: OutboundProtocol): TracingOptions | null {
  return isHttp(protocol) ? tracingOptions(proxyTracing(snap, source), service) : null;
}
