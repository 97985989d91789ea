import type { Server } from 'node:net';
import type { Logger } from '../logging.js';

/** Thrown when a port cannot be bound; the message names the port and the server. */
export class BindError extends Error {
  constructor(server: string, host: string, port: number, cause: NodeJS.ErrnoException) {
    const reason =
      cause.code === 'EADDRINUSE' ? 'is already in use' : cause.code === 'EACCES' ? 'needs more privileges' : `cannot be bound (${cause.code ?? cause.message})`;
    super(`port ${port} on ${host} ${reason} (${server})`, { cause });
    this.name = 'BindError';
  }
}

/**
 * Binds a net/http server and logs the one `listening` line (with the real port when 0 was asked).
 * Rejects with BindError naming the port.
 */
export function listen(server: Server, name: string, host: string, port: number, log: Logger, extra: Readonly<Record<string, unknown>> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.removeListener('listening', onListening);
      reject(new BindError(name, host, port, err));
    };
    const onListening = (): void => {
      server.removeListener('error', onError);
      const addr = server.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      log.info({ server: name, address: host, port: bound, ...extra }, 'listening');
      resolve(bound);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Closes a server, waiting for open connections to finish; forces them closed after `graceMs`. */
export function closeServer(server: Server & { closeAllConnections?: () => void; closeIdleConnections?: () => void }, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections?.(), graceMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections?.();
  });
}
