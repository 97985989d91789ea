import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../core/logging.js';
import { closeServer, listen } from '../core/runtime/listen.js';
import { ConnectionGuard, type ConnectionLimits } from './connection-guard.js';

/** What a port speaks: plaintext only for now (TLS termination is the next step). */
export interface PortSecurity {
  readonly plaintext: true;
}

/** Takes an admitted connection. */
export type Handoff = (conn: Socket) => void;

export interface PortListenerOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly security: PortSecurity;
  readonly limits: ConnectionLimits;
  readonly log: Logger;
  readonly handoff: Handoff;
}

/**
 * One listening port of the CP: admits connections within the per-port and per-source limits, closes those
 * that stay silent past the idle limit, and hands each connection to the server behind it (gRPC through
 * grpc-js's connection injector).
 */
export class PortListener {
  private readonly server: Server;
  private readonly guard: ConnectionGuard;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  constructor(private readonly opts: PortListenerOptions) {
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
    const { name, host, port, log } = this.opts;
    this.boundPort = await listen(this.server, name, host, port, log);
    return this.boundPort;
  }

  /** Stops accepting; connections still open after `graceMs` are destroyed. */
  async close(graceMs = 2000): Promise<void> {
    const force = setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, graceMs);
    await closeServer(this.server, graceMs);
    clearTimeout(force);
  }

  private accept(socket: Socket): void {
    if (!this.guard.admit(socket)) return;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // Silent peers (nothing sent) give their descriptor back after the limit.
    setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, this.opts.limits.idleFirstByteMs).unref();
    this.opts.handoff(socket);
  }
}
