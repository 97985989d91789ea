/**
 * The UDP resolver thread (started by `udp-thread.ts`): binds the DNS UDP port and answers from its own VIP
 * table, which follows the changes the main thread posts. Nothing here waits for the main event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { configureLogging, logger } from '../core/logging.js';
import type { DnsResult } from './dns-metrics.js';
import { DnsResponder } from './dns-responder.js';
import { createQueryHandler } from './query-handler.js';
import { listenUdp } from './udp-listener.js';
import type { FromUdpThread, ToUdpThread, UdpThreadInit } from './udp-thread.js';
import { UpstreamForwarder } from './upstream-forwarder.js';
import { VipTable } from './vip-table.js';

const port = parentPort;
if (!port) throw new Error('udp-worker runs as a worker thread');
const init = workerData as UdpThreadInit;
configureLogging(init.logLevel, undefined, init.logFormat);
const log = logger('dns-server');
const send = (m: FromUdpThread): void => port.postMessage(m);

const table = new VipTable();
const forwarder =
  init.upstreams.length > 0
    ? new UpstreamForwarder(init.upstreams, { timeoutMs: init.upstreamTimeoutMs, maxInFlight: init.upstreamMaxInFlight }, (err) => log.debug({ err }, 'upstream socket error'))
    : undefined;
const responder = new DnsResponder(table, { domain: init.domain, ttl: init.ttl, forwarding: forwarder !== undefined });
// Counts go to the main thread's metric once per turn of this thread's loop (one message for however many
// queries it answered in that turn), so a scrape right after an answer already sees it.
const counts = new Map<DnsResult, number>();
let flushing = false;
const flushCounts = (): void => {
  flushing = false;
  if (counts.size === 0) return;
  send({ ev: 'counts', counts: [...counts].map(([result, n]) => ({ result, n })) });
  counts.clear();
};
const handle = createQueryHandler(responder, forwarder, log, (result) => {
  counts.set(result, (counts.get(result) ?? 0) + 1);
  if (!flushing) {
    flushing = true;
    setImmediate(flushCounts);
  }
});

try {
  const udp = await listenUdp(init.address, init.port, handle, log);
  port.on('message', (m: ToUdpThread) => {
    if (m.op === 'upsert') table.upsert(m.resource);
    else if (m.op === 'remove') table.remove(m.name);
    else {
      forwarder?.close();
      void udp.close().then(() => {
        flushCounts();
        send({ ev: 'closed' });
        port.close();
      });
    }
  });
  send({ ev: 'bound', port: udp.port });
} catch (err) {
  const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
  send({ ev: 'bind-failed', code: cause?.code, message: cause?.message ?? String(err) });
}
