import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../core/logging.js';
import { closeServer, listen } from '../core/runtime/listen.js';
import { ConnectionGuard, type ConnectionLimits } from './connection-guard.js';
import { enableTcpKeepalive } from './keepalive.js';

/** What a port speaks: TLS, plaintext, or both on the same port (told apart by the first byte). */
export interface PortSecurity {
  readonly tls: boolean;
  readonly plaintext: boolean;
}

/**
 * Takes an admitted connection. `sniffed`: its first bytes were read to tell TLS from plaintext and pushed
 * back (unshift) into the socket, which is paused.
 */
export interface Handoff {
  tls?(conn: Socket): void;
  plaintext?(conn: Socket, sniffed: boolean): void;
}

export interface PortListenerOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly security: PortSecurity;
  readonly limits: ConnectionLimits;
  readonly log: Logger;
  readonly handoff: Handoff;
}

/** A TLS record starts with content type 22 (handshake); no HTTP or HTTP/2 preface does. */
const TLS_HANDSHAKE = 0x16;

/**
 * One listening port of the CP: admits connections within the per-port and per-source limits and the
 * process-wide connection budget (shared by every port), closes those
 * that stay silent past the idle limit, and hands each connection to the server behind it: TLS is terminated
 * there (grpc-js's or node:https's own TLS server), never here. A server-side TLSSocket made outside a
 * tls.Server keeps `secureConnecting` true after its handshake, and node:http2 waits for a `secureConnect`
 * that never comes, so a connection decrypted here and injected into a plaintext HTTP/2 server stalls.
 */
export class PortListener {
  private readonly server: Server;
  private readonly guard: ConnectionGuard;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  constructor(private readonly opts: PortListenerOptions) {
    if (!opts.security.tls && !opts.security.plaintext) throw new Error(`${opts.name}: a port needs TLS or plaintext`);
    this.guard = new ConnectionGuard(opts.name, opts.limits, opts.log);
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  get port(): number {
    return this.boundPort;
  }

  get openConnections(): number {
    return this.guard.open;
  }

  async listen(): Promise<number> {
    const { name, host, port, log, security } = this.opts;
    try {
      this.boundPort = await listen(this.server, name, host, port, log, { tls: security.tls, plaintext: security.plaintext });
    } catch (err) {
      this.guard.close();
      throw err;
    }
    // Accept failures (EMFILE...) must not crash the process; logged at most once per 10 s.
    let lastLog = 0;
    this.server.on('error', (err: NodeJS.ErrnoException) => {
      if (Date.now() - lastLog < 10_000) return;
      lastLog = Date.now();
      log.warn({ server: name, port: this.boundPort, code: err.code, reason: err.message }, 'accepting a connection failed');
    });
    return this.boundPort;
  }

  /** Stops accepting; connections still open after `graceMs` are destroyed. */
  async close(graceMs = 2000): Promise<void> {
    const force = setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, graceMs);
    await closeServer(this.server, graceMs);
    clearTimeout(force);
    this.guard.close();
  }

  private accept(socket: Socket): void {
    if (!this.guard.admit(socket)) return;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // A peer that is gone while the connection is idle is found by the kernel (see keepalive.ts).
    enableTcpKeepalive(socket);
    // Silent peers (nothing sent) give their descriptor back after the limit.
    setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, this.opts.limits.idleFirstByteMs).unref();
    const { tls, plaintext } = this.opts.security;
    const { handoff } = this.opts;
    if (!tls) return handoff.plaintext?.(socket, false);
    if (!plaintext) return handoff.tls?.(socket);
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === TLS_HANDSHAKE) handoff.tls?.(socket);
      else handoff.plaintext?.(socket, true);
    });
  }
}
