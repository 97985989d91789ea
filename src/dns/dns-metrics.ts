import { Counter } from 'prom-client';
import { metricsRegistry } from '../core/metrics.js';

export type DnsResult = 'resolved' | 'unresolved' | 'refused' | 'forwarded' | 'malformed';

/** Kuma's `dns_server_resolution`, with the outcomes our resolver distinguishes. */
export const dnsResolutions = new Counter({
  name: 'dns_server_resolution',
  help: 'DNS queries answered, by outcome and transport',
  labelNames: ['result', 'transport'] as const,
  registers: [metricsRegistry],
});

/** Outcome of a locally built answer from its header: RCODE and ANCOUNT. */
export function resultOf(reply: Buffer): DnsResult {
  const rcode = (reply[3] ?? 0) & 0x0f;
  if (rcode === 0) return ((reply[6] ?? 0) << 8) + (reply[7] ?? 0) > 0 ? 'resolved' : 'unresolved';
  if (rcode === 3) return 'unresolved';
  if (rcode === 5) return 'refused';
  return 'malformed';
}
