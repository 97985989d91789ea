import * as grpc from '@grpc/grpc-js';
import { BindError } from '../core/runtime/listen.js';
import type { Logger } from '../core/logging.js';
import { grpcKeepaliveOptions } from './keepalive.js';
import type { ConnectionLimits } from '../transport/connection-guard.js';
import { PortListener } from '../transport/port-listener.js';
import type { TlsMaterial } from '../transport/tls-material.js';

/** Plaintext credentials of a directly bound server (bench baselines); the CP's ports go through `serveGrpc`. */
export function serverCredentials(): grpc.ServerCredentials {
  return grpc.ServerCredentials.createInsecure();
}

/** A gRPC server serving on one of the CP's ports. */
export interface GrpcServing {
  readonly port: number;
  /** Stops accepting, lets streams end for `graceMs`, then cancels what is left. */
  close(graceMs?: number): Promise<void>;
}

export interface GrpcPortOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  /** The certificate the port presents; absent = plaintext only (in-process tests). */
  readonly tls?: TlsMaterial;
  /** Also accept plaintext gRPC on the port (always true without `tls`). */
  readonly plaintext: boolean;
  readonly limits: ConnectionLimits;
}

/**
 * Serves `server` on a CP port: the PortListener admits connections within the limits and tells TLS from
 * plaintext; grpc-js gets each connection through a connection injector with the matching credentials, so
 * grpc-js's own HTTP/2 TLS server does the handshake (ALPN h2 included). If the port cannot be bound, the
 * server is shut down here (its injectors and any timers), so every caller (ADS, KDS) fails the same way.
 */
export async function serveGrpc(server: grpc.Server, opts: GrpcPortOptions): Promise<GrpcServing> {
  const secure = opts.tls
    ? server.createConnectionInjector(grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(opts.tls.keyPem), cert_chain: Buffer.from(opts.tls.certPem) }], false))
    : undefined;
  const plain = !secure || opts.plaintext ? server.createConnectionInjector(grpc.ServerCredentials.createInsecure()) : undefined;
  const listener = new PortListener({
    name: opts.name,
    host: opts.host,
    port: opts.port,
    log: opts.log,
    limits: opts.limits,
    security: { tls: secure !== undefined, plaintext: plain !== undefined },
    handoff: { tls: (conn) => secure?.injectConnection(conn), plaintext: (conn) => plain?.injectConnection(conn) },
  });
  try {
    await listener.listen();
  } catch (err) {
    secure?.destroy();
    plain?.destroy();
    server.forceShutdown();
    throw err;
  }
  return {
    port: listener.port,
    close: async (graceMs = 2000) => {
      const closed = listener.close(graceMs);
      await shutdownGrpcServer(server, graceMs);
      await closed;
    },
  };
}

/** A gRPC server of the CP's ports, with the CP's keepalive (see transport/keepalive.ts). */
export function newGrpcServer(): grpc.Server {
  return new grpc.Server({
    ...grpcKeepaliveOptions(),
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.max_send_message_length': -1,
  });
}

/** Binds and logs the one `listening` line; rejects with BindError naming the port. */
export function bindGrpcServer(server: grpc.Server, name: string, host: string, port: number, log: Logger): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, serverCredentials(), (err, bound) => {
      if (err) {
        const errno: NodeJS.ErrnoException = Object.assign(new Error(err.message), { code: /in use/i.test(err.message) ? 'EADDRINUSE' : undefined });
        reject(new BindError(name, host, port, errno));
        return;
      }
      log.info({ server: name, address: host, port: bound }, 'listening');
      resolve(bound);
    });
  });
}

/** Stops accepting, lets streams end for `graceMs`, then cancels what is left. */
export function shutdownGrpcServer(server: grpc.Server, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
