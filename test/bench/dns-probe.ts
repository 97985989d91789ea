/**
 * A data plane resolving `<service>.mesh` while the mesh changes: one A query every `intervalMs` over UDP,
 * each waiting up to `timeoutMs` for its answer. Latencies of answered queries and the count of unanswered ones.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface DnsProbeResult {
  readonly latenciesMs: readonly number[];
  readonly unanswered: number;
}

export interface DnsProbe {
  stop(): Promise<DnsProbeResult>;
}

export function startDnsProbe(port: number, names: readonly string[], intervalMs = 50, timeoutMs = 1000): DnsProbe {
  const sock = dgram.createSocket('udp4');
  const pending = new Map<number, { sent: number; timer: NodeJS.Timeout }>();
  const latencies: number[] = [];
  let unanswered = 0;
  let id = 0;
  sock.on('message', (msg) => {
    const qid = msg.readUInt16BE(0);
    const p = pending.get(qid);
    if (!p) return;
    clearTimeout(p.timer);
    pending.delete(qid);
    latencies.push(performance.now() - p.sent);
  });
  sock.on('error', () => undefined);
  const tick = setInterval(() => {
    id = (id + 1) & 0xffff;
    const qid = id;
    const name = names[qid % names.length] ?? 'svc-0.mesh';
    const packet = dnsPacket.encode({ type: 'query', id: qid, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
    const timer = setTimeout(() => {
      pending.delete(qid);
      unanswered++;
    }, timeoutMs);
    pending.set(qid, { sent: performance.now(), timer });
    sock.send(packet, port, '127.0.0.1');
  }, intervalMs);
  return {
    async stop() {
      clearInterval(tick);
      // Queries still in flight get their full time to answer.
      const deadline = Date.now() + timeoutMs + 50;
      while (pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      sock.close();
      return { latenciesMs: latencies, unanswered };
    },
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}
