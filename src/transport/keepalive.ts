import type { Socket } from 'node:net';

/**
 * How the CP finds peers that are gone without closing their connection: data planes and zones on the ports it
 * serves, the global on the zone's KDS connection. Two mechanisms, each for what it can see:
 *
 * - TCP keepalive finds idle dead peers. The kernel probes a connection that received nothing for
 *   `tcpIdleMs` (Node: then 10 probes 1 s apart), so a peer whose host or network is gone is found in about
 *   25 s whatever this process is busy with. Probes never queue behind our writes, and a live peer's kernel
 *   answers them even while its process is busy, so a slow peer is never mistaken for a dead one.
 * - HTTP/2 PING (gRPC keepalive) finds peers that are gone or hung while data is outstanding, which TCP
 *   keepalive does not probe. grpc-js pings on a timer whatever the traffic, and the answer comes only once
 *   the peer has read every byte written before it, and once its own event loop runs: the timeout must
 *   outlast the longest push a busy peer may still be reading. At 15 s / 10 s, a mesh-wide change of 1,000
 *   services (1.3 MB per proxy) to 2,000 proxies on 2 cores dropped 1,531 live streams at once, and each
 *   reconnect made the daemon send its 1.3 MB again (`npm run bench -- xds`, (b)); at the global's 5 s / 5 s,
 *   a zone that read nothing for ~10 s (busy applying a large sync) lost its KDS stream and synced again.
 */
export const KEEPALIVE = {
  tcpIdleMs: 15_000,
  http2PingIntervalMs: 60_000,
  http2PingTimeoutMs: 60_000,
} as const;

/** Turns on TCP keepalive with the CP's idle time on a connection (accepted or dialed). */
export function enableTcpKeepalive(socket: Socket): void {
  socket.setKeepAlive(true, KEEPALIVE.tcpIdleMs);
}
