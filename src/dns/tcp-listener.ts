import type net from 'node:net';
import type { Logger } from '../core/logging.js';
import type { ConnectionLimits } from '../transport/connection-guard.js';
import { PortListener } from '../transport/port-listener.js';
import { HEADER_LEN, MAX_QUERY_LEN } from './dns-wire.js';
import type { Listener, QueryHandler } from './query-handler.js';

export interface TcpLimits {
  /** A connection idle this long is closed (RFC 7766 recommends seconds, not minutes). */
  readonly idleTimeoutMs: number;
  /** Replies queued to a client that does not read; beyond it the connection is closed. */
  readonly maxPendingWriteBytes: number;
}

export const DEFAULT_TCP_LIMITS: Readonly<TcpLimits> = { idleTimeoutMs: 10_000, maxPendingWriteBytes: 256 * 1024 };

/**
 * DNS over TCP (RFC 7766): 2-byte length-prefixed messages, several per connection (pipelined, answered
 * as they complete). A frame shorter than a header or longer than any sane query closes the connection.
 * Connections are admitted by the CP's PortListener (per-port and per-source caps, like every TCP port).
 */
export async function listenTcp(address: string, port: number, handle: QueryHandler, log: Logger, connections: ConnectionLimits, limits: TcpLimits = DEFAULT_TCP_LIMITS): Promise<Listener> {
  const listener = new PortListener({
    name: 'dns-tcp',
    host: address,
    port,
    log,
    limits: connections,
    security: { tls: false, plaintext: true },
    handoff: { plaintext: (sock) => serveConnection(sock, handle, log, limits) },
  });
  await listener.listen();
  return { port: listener.port, close: () => listener.close(0) };
}

function serveConnection(sock: net.Socket, handle: QueryHandler, log: Logger, limits: TcpLimits): void {
  let buffered: Buffer = Buffer.alloc(0);
  sock.setNoDelay(true);
  sock.setTimeout(limits.idleTimeoutMs, () => sock.destroy());
  sock.on('error', (err) => log.debug({ err }, 'tcp connection error'));
  const send = (bytes: Buffer): void => {
    if (sock.destroyed) return;
    if (sock.writableLength > limits.maxPendingWriteBytes) {
      sock.destroy();
      return;
    }
    const frame = Buffer.allocUnsafe(2 + bytes.length);
    frame.writeUInt16BE(bytes.length, 0);
    bytes.copy(frame, 2);
    sock.write(frame);
  };
  sock.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2) {
      const len = buffered.readUInt16BE(0);
      if (len < HEADER_LEN || len > MAX_QUERY_LEN) {
        log.debug({ len }, 'bad tcp frame length, closing');
        sock.destroy();
        return;
      }
      if (buffered.length < 2 + len) break;
      const msg = buffered.subarray(2, 2 + len);
      buffered = buffered.subarray(2 + len);
      handle(msg, 'tcp', send);
    }
  });
}
