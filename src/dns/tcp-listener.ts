import net from 'node:net';
import type { Logger } from '../core/logging.js';
import { BindError } from '../core/runtime/listen.js';
import { HEADER_LEN, MAX_QUERY_LEN } from './dns-wire.js';
import type { Listener, QueryHandler } from './query-handler.js';

export interface TcpLimits {
  /** Concurrent connections; more are refused by the kernel backlog / closed at once. */
  readonly maxConnections: number;
  /** A connection idle this long is closed (RFC 7766 recommends seconds, not minutes). */
  readonly idleTimeoutMs: number;
  /** Replies queued to a client that does not read; beyond it the connection is closed. */
  readonly maxPendingWriteBytes: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = { maxConnections: 1024, idleTimeoutMs: 10_000, maxPendingWriteBytes: 256 * 1024 };

/**
 * DNS over TCP (RFC 7766): 2-byte length-prefixed messages, several per connection (pipelined, answered
 * as they complete). A frame shorter than a header or longer than any sane query closes the connection.
 */
export async function listenTcp(address: string, port: number, handle: QueryHandler, log: Logger, limits: TcpLimits = DEFAULT_TCP_LIMITS): Promise<Listener> {
  const connections = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    connections.add(sock);
    sock.once('close', () => connections.delete(sock));
    serveConnection(sock, handle, log, limits);
  });
  server.maxConnections = limits.maxConnections;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => reject(new BindError('dns-tcp', address, port, err));
    server.once('error', onError);
    server.listen({ host: address, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => log.warn({ err }, 'tcp server error'));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const sock of connections) sock.destroy();
      }),
  };
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
