import * as grpc from '@grpc/grpc-js';
import { BindError } from '../core/runtime/listen.js';
import type { Logger } from '../core/logging.js';

/**
 * Transport set-up for the CP's gRPC servers, in one place: today plaintext; TLS with generated
 * certificates replaces `serverCredentials` later without touching the services.
 */
export function serverCredentials(): grpc.ServerCredentials {
  return grpc.ServerCredentials.createInsecure();
}

export function newGrpcServer(): grpc.Server {
  return new grpc.Server({
    'grpc.keepalive_time_ms': 15_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
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
