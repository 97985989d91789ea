import type { RequestListener } from 'node:http';
import { errorMessage } from '../core/errors.js';
import { trackControlPlaneMetrics } from './cp-metrics.js';
import type { Component } from '../core/runtime/component.js';
import { serveHttp } from '../transport/serve-http.js';
import type { Runtime } from '../core/runtime/runtime.js';
import { untilAborted } from '../core/runtime/abort.js';

const STORE_CHECK_INTERVAL_MS = 2000;

export interface Readiness {
  readonly ready: boolean;
  pending(): string[];
}

/** `/healthy` (process alive), `/ready` (every component started) and `/metrics` (Prometheus) on the diagnostics port. */
export function diagnosticsComponent(rt: Runtime, readiness: Readiness): Component {
  return {
    name: 'diagnostics',
    async start(signal, ready) {
      const log = rt.logger('diagnostics');
      const handler: RequestListener = (req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { 'content-type': 'text/plain' }).end('Method not allowed\n');
        } else if (path === '/healthy') {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n');
        } else if (path === '/metrics') {
          const { registry } = rt.metrics;
          registry.metrics().then(
            (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
            (err: unknown) => {
              log.error({ err: errorMessage(err) }, 'metrics collection failed');
              res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
            },
          );
        } else if (path === '/ready') {
          const storeProblem = rt.store.unavailableReason?.();
          if (storeProblem !== undefined) res.writeHead(503, { 'content-type': 'text/plain' }).end(`store unavailable: ${storeProblem}\n`);
          else if (readiness.ready) res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n');
          else res.writeHead(503, { 'content-type': 'text/plain' }).end(`starting: ${readiness.pending().join(', ')}\n`);
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
        }
      };
      rt.metrics.enableProcessMetrics();
      const untrack = await trackControlPlaneMetrics(rt);
      const { interface: host, serverPort } = rt.config.diagnostics;
      try {
        // Plain HTTP (Kuma's default for this port), within the same connection caps as every TCP port.
        const serving = await serveHttp({ name: 'diagnostics', host, port: serverPort, log, limits: rt.connections, plaintext: true, handler });
        ready();
        // Notices (and logs) a store going bad even when nobody probes /ready or writes.
        const watch = setInterval(() => rt.store.unavailableReason?.(), STORE_CHECK_INTERVAL_MS).unref();
        await untilAborted(signal);
        clearInterval(watch);
        await serving.close();
      } finally {
        untrack();
      }
    },
  };
}
