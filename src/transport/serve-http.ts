import { createServer as createHttpServer, type RequestListener, type Server as HttpServer, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Logger } from '../core/logging.js';
import type { ConnectionLimits } from './connection-guard.js';
import { PortListener } from './port-listener.js';
import { tlsServerOptions, type TlsMaterial } from './tls-material.js';

export interface HttpPortOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  readonly limits: ConnectionLimits;
  /** Serve HTTPS with this certificate; absent = plain HTTP only. */
  readonly tls?: TlsMaterial;
  /** Also serve plain HTTP (on the same port as HTTPS when both). */
  readonly plaintext: boolean;
  readonly serverOptions?: ServerOptions;
  readonly handler: RequestListener;
  /** Malformed requests (node:http's `clientError`). */
  readonly onClientError?: (err: NodeJS.ErrnoException, socket: Socket) => void;
}

export interface HttpServing {
  readonly port: number;
  /** Stops accepting and closes idle keep-alive connections; busy ones are cut after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Serves an HTTP handler on a CP port through a PortListener (connection caps, idle limit), as HTTP, HTTPS,
 * or both on one port. The node:http(s) servers never listen themselves: they get the admitted connections.
 */
export async function serveHttp(o: HttpPortOptions): Promise<HttpServing> {
  const servers: HttpServer[] = [];
  const plain = o.plaintext || !o.tls ? createHttpServer(o.serverOptions ?? {}, o.handler) : undefined;
  const secure = o.tls ? createHttpsServer({ ...o.serverOptions, ...tlsServerOptions(o.tls) }, o.handler) : undefined;
  if (plain) servers.push(plain);
  if (secure) {
    servers.push(secure);
    secure.on('tlsClientError', (err: Error) => o.log.debug({ server: o.name, reason: err.message }, 'TLS handshake failed'));
  }
  for (const s of servers) if (o.onClientError) s.on('clientError', o.onClientError);
  const listener = new PortListener({
    name: o.name,
    host: o.host,
    port: o.port,
    log: o.log,
    limits: o.limits,
    security: { tls: secure !== undefined, plaintext: plain !== undefined },
    handoff: {
      tls: (conn) => secure?.emit('connection', conn),
      plaintext: (conn, sniffed) => {
        plain?.emit('connection', conn);
        // node:http reads through the socket's handle; a sniffed (paused, unshifted) socket must flow again.
        if (sniffed) conn.resume();
      },
    },
  });
  await listener.listen();
  // node:http starts its request/headers timeout checks (and idle-connection tracking) on 'listening'.
  for (const s of servers) s.emit('listening');
  return {
    port: listener.port,
    close: async (graceMs = 2000) => {
      for (const s of servers) s.close(() => undefined);
      await listener.close(graceMs);
    },
  };
}
