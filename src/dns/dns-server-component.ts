import { loggingSettings } from '../core/logging.js';
import type { Component } from '../core/runtime/component.js';
import type { Runtime } from '../core/runtime/runtime.js';
import { DnsResponder } from './dns-responder.js';
import { normaliseDomain } from './name-rules.js';
import { createQueryHandler } from './query-handler.js';
import { createDnsMetrics } from './dns-metrics.js';
import { followView } from './view-follower.js';
import { listenTcp } from './tcp-listener.js';
import { startUdpThread } from './udp-thread.js';
import { resolveUpstream, UpstreamForwarder } from './upstream-forwarder.js';
import { VipTable } from './vip-table.js';
import { untilAborted } from '../core/runtime/abort.js';

const UPSTREAM_TIMEOUT_MS = 2000;
const UPSTREAM_MAX_IN_FLIGHT = 1024;

/**
 * The DNS server (UDP and TCP on the same port; with port 0, TCP takes the port UDP got when it is free).
 * Runs on every instance: its table of VIPs follows VirtualIP resources in the store. UDP is answered from
 * its own thread (`udp-thread.ts`), so queries are not delayed by xDS work on the main event loop; TCP
 * stays on the main thread behind the port's connection limits.
 */
export function dnsServerComponent(rt: Runtime): Component {
  return {
    name: 'dns-server',
    async start(signal, ready) {
      const log = rt.logger('dns-server');
      const cfg = rt.config.dnsServer;
      const domain = normaliseDomain(cfg.domain);
      const upstreams = await Promise.all(cfg.upstreams.map(resolveUpstream));
      const { level, format } = loggingSettings();
      const metrics = rt.metrics.of(createDnsMetrics);
      const udp = await startUdpThread(
        {
          address: cfg.interface,
          port: cfg.port,
          domain,
          ttl: cfg.ttl,
          upstreams,
          upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
          upstreamMaxInFlight: UPSTREAM_MAX_IN_FLIGHT,
          logLevel: level,
          logFormat: format,
        },
        log,
        metrics,
      );
      const closers: (() => Promise<void>)[] = [() => udp.close()];
      const table = new VipTable();
      const unsubscribe = await followView(rt.view, 'dns-server', ['VirtualIP'], {
        upsert: (r) => {
          table.upsert(r);
          udp.upsert(r);
        },
        remove: (r) => {
          table.remove(r.meta.name);
          udp.remove(r.meta.name);
        },
        changed: () => log.debug({ names: table.size }, 'dns table updated'),
      });
      const forwarder = upstreams.length > 0 ? new UpstreamForwarder(upstreams, { timeoutMs: UPSTREAM_TIMEOUT_MS, maxInFlight: UPSTREAM_MAX_IN_FLIGHT }, (err) => log.debug({ err }, 'upstream socket error')) : undefined;
      const responder = new DnsResponder(table, { domain, ttl: cfg.ttl, forwarding: forwarder !== undefined });
      const handle = createQueryHandler(responder, forwarder, log, (result, transport) => metrics.countResolution(result, transport));
      const closeAll = async (): Promise<void> => {
        unsubscribe();
        forwarder?.close();
        await Promise.all(closers.map((c) => c()));
      };
      try {
        log.info({ server: 'dns-udp', address: cfg.interface, port: udp.port }, 'listening');
        const limits = rt.connections;
        const tcp = await listenTcp(cfg.interface, cfg.port === 0 ? udp.port : cfg.port, handle, log, limits).catch((err: unknown) => {
          if (cfg.port !== 0) throw err;
          return listenTcp(cfg.interface, 0, handle, log, limits);
        });
        closers.push(() => tcp.close());
        log.info({ domain, ttl: cfg.ttl, upstreams: cfg.upstreams, vips: table.size }, 'dns server started');
      } catch (err) {
        await closeAll();
        throw err;
      }
      ready();
      try {
        await Promise.race([untilAborted(signal), udp.failed]);
      } finally {
        await closeAll();
      }
    },
  };
}
