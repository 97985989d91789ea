import { Counter, type Registry } from 'prom-client';

const RESULTS = ['resolved', 'unresolved', 'refused', 'forwarded', 'malformed'] as const;
const TRANSPORTS = ['udp', 'tcp'] as const;
export type DnsResult = (typeof RESULTS)[number];
type DnsTransport = (typeof TRANSPORTS)[number];

const slot = (result: DnsResult, transport: DnsTransport): number => RESULTS.indexOf(result) * TRANSPORTS.length + (transport === 'udp' ? 0 : 1);

/** Counts answered queries by outcome and transport (one per control plane: `rt.metrics.of(createDnsMetrics)`). */
export interface DnsMetrics {
  /** `n` queries (default 1) with this outcome; the UDP thread reports its counts in batches. */
  countResolution(result: DnsResult, transport: DnsTransport, n?: number): void;
}

/**
 * Kuma's `dns_server_resolution`, with the outcomes our resolver distinguishes. Per-query counting is a plain
 * array increment (this is the DNS hot path); prom-client reads the totals only when `/metrics` is scraped.
 */
export function createDnsMetrics(registry: Registry): DnsMetrics {
  const counts = new Float64Array(RESULTS.length * TRANSPORTS.length);
  const reported = new Float64Array(counts.length);
  new Counter({
    name: 'dns_server_resolution',
    help: 'DNS queries answered, by outcome and transport',
    labelNames: ['result', 'transport'] as const,
    registers: [registry],
    collect() {
      RESULTS.forEach((result, r) =>
        TRANSPORTS.forEach((transport, t) => {
          const i = r * TRANSPORTS.length + t;
          this.inc({ result, transport }, counts[i]! - reported[i]!);
          reported[i] = counts[i]!;
        }),
      );
    },
  });
  return {
    countResolution(result, transport, n = 1) {
      counts[slot(result, transport)]! += n;
    },
  };
}

/** Outcome of a locally built answer from its header: RCODE and ANCOUNT. */
export function resultOf(reply: Buffer): DnsResult {
  const rcode = (reply[3] ?? 0) & 0x0f;
  if (rcode === 0) return ((reply[6] ?? 0) << 8) + (reply[7] ?? 0) > 0 ? 'resolved' : 'unresolved';
  if (rcode === 3) return 'unresolved';
  if (rcode === 5) return 'refused';
  return 'malformed';
}
