import { Worker } from 'node:worker_threads';
import type { Logger, LogFormat, LogLevel } from '../core/logging.js';
import type { ResourceOf } from '../core/resources/typed-resource.js';
import { BindError } from '../core/runtime/listen.js';
import type { DnsMetrics, DnsResult } from './dns-metrics.js';
import type { Listener } from './query-handler.js';
import type { Upstream } from './upstream-forwarder.js';

/** What the UDP resolver thread is started with (`workerData`). */
export interface UdpThreadInit {
  readonly address: string;
  readonly port: number;
  readonly domain: string;
  readonly ttl: number;
  readonly upstreams: readonly Upstream[];
  readonly upstreamTimeoutMs: number;
  readonly upstreamMaxInFlight: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

/** Main thread -> resolver thread. */
export type ToUdpThread = { readonly op: 'upsert'; readonly resource: ResourceOf<'VirtualIP'> } | { readonly op: 'remove'; readonly name: string } | { readonly op: 'close' };

/** Resolver thread -> main thread. */
export type FromUdpThread =
  | { readonly ev: 'bound'; readonly port: number }
  | { readonly ev: 'bind-failed'; readonly code: string | undefined; readonly message: string }
  | { readonly ev: 'counts'; readonly counts: readonly { readonly result: DnsResult; readonly n: number }[] }
  | { readonly ev: 'closed' };

/** The UDP listener answering from its own thread; its VIP table follows what the main thread posts. */
export interface UdpThread extends Listener {
  upsert(r: ResourceOf<'VirtualIP'>): void;
  remove(name: string): void;
  /** Rejects when the thread dies (the component then fails and is restarted). */
  readonly failed: Promise<never>;
}

function workerUrl(): URL {
  const here = new URL(import.meta.url);
  // Unit tests run the sources; the thread runs the built JavaScript (`npm run build`).
  return here.pathname.endsWith('.ts') ? new URL('../../dist/src/dns/udp-worker.js', here) : new URL('./udp-worker.js', here);
}

/**
 * Starts the UDP side of the DNS server in a worker thread, so that answering `<service>.mesh` never waits
 * for the main event loop (xDS generation and the encoding of large pushes run there: DESIGN §3). The main
 * thread keeps the VIP table's source of truth and posts every change; the thread reports its query counts
 * to `dns_server_resolution` once per turn of its loop. Resolves once bound; rejects with BindError naming the port.
 */
export async function startUdpThread(init: UdpThreadInit, log: Logger, metrics: DnsMetrics): Promise<UdpThread> {
  const worker = new Worker(workerUrl(), { workerData: init, name: 'kuma-cp dns udp' });
  let onClosed: (() => void) | undefined;
  let fail: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  let closing = false;
  worker.on('message', (m: FromUdpThread) => {
    if (m.ev === 'counts') for (const c of m.counts) metrics.countResolution(c.result, 'udp', c.n);
    else if (m.ev === 'closed') onClosed?.();
  });
  worker.on('error', (err) => {
    log.error({ err: err.message }, 'dns udp thread failed');
    fail(err);
  });
  worker.on('exit', (code) => {
    if (!closing) fail(new Error(`dns udp thread exited with code ${code}`));
    onClosed?.();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const first = (m: FromUdpThread): void => {
      if (m.ev === 'bound') resolve(m.port);
      else if (m.ev === 'bind-failed') reject(new BindError('dns-udp', init.address, init.port, Object.assign(new Error(m.message), { code: m.code })));
      else return;
      worker.off('message', first);
    };
    worker.on('message', first);
    failed.catch(reject);
  }).catch(async (err: unknown) => {
    closing = true;
    await worker.terminate();
    throw err;
  });
  const post = (m: ToUdpThread): void => worker.postMessage(m);
  return {
    port,
    failed,
    upsert: (resource) => post({ op: 'upsert', resource }),
    remove: (name) => post({ op: 'remove', name }),
    close: async () => {
      if (closing) return;
      closing = true;
      const closed = new Promise<void>((resolve) => (onClosed = resolve));
      post({ op: 'close' });
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await closed;
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
