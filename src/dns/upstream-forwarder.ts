import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { HEADER_LEN, type Query } from './dns-wire.js';

export interface Upstream {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/** `host`, `host:port`, `[v6]:port` or a bare IPv6 address; port 53 if omitted. Host names are resolved once. */
export async function resolveUpstream(text: string): Promise<Upstream> {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? (net.isIPv6(text) ? [text, text, undefined] : /^([^:]+)(?::(\d+))?$/.exec(text));
  const host = m?.[1];
  const port = m?.[2] === undefined ? 53 : Number(m[2]);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid DNS upstream "${text}" (expected host[:port])`);
  const { address, family } = net.isIP(host) ? { address: host, family: net.isIP(host) } : await lookup(host);
  return { address, port, family: family === 6 ? 6 : 4 };
}

interface Pending {
  readonly upstream: Upstream;
  readonly question: Uint8Array;
  readonly resolve: (response: Buffer | undefined) => void;
  readonly timer: NodeJS.Timeout;
}

export interface ForwarderOptions {
  /** Per-upstream attempt. */
  readonly timeoutMs: number;
  /** In-flight forwards per transport; beyond it a query fails at once (SERVFAIL) instead of queueing. */
  readonly maxInFlight: number;
}

/**
 * Forwards queries for names outside the domain to upstream resolvers, in order, until one answers.
 * UDP queries go over UDP with a fresh random id (the upstream's answer must come from that upstream and
 * echo the question), TCP queries over a fresh TCP connection. Resolves with the upstream's response
 * carrying the client's id, or undefined when every upstream failed (the caller answers SERVFAIL).
 */
export class UpstreamForwarder {
  private readonly pending = new Map<number, Pending>();
  private readonly sockets = new Map<4 | 6, dgram.Socket>();
  private readonly tcpSockets = new Set<net.Socket>();
  private closed = false;

  constructor(
    private readonly upstreams: readonly Upstream[],
    private readonly options: ForwarderOptions,
    private readonly onError: (err: Error) => void,
  ) {}

  async forward(msg: Uint8Array, query: Query, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    for (const upstream of this.upstreams) {
      if (this.closed) return undefined;
      const response = transport === 'udp' ? await this.viaUdp(msg, query, upstream) : await this.viaTcp(msg, upstream);
      if (response) {
        response.writeUInt16BE(query.id, 0);
        return response;
      }
    }
    return undefined;
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve(undefined);
    }
    this.pending.clear();
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
    for (const s of this.tcpSockets) s.destroy();
  }

  private viaUdp(msg: Uint8Array, query: Query, upstream: Upstream): Promise<Buffer | undefined> {
    if (this.pending.size >= this.options.maxInFlight) return Promise.resolve(undefined);
    let id = (Math.random() * 0x10000) | 0;
    while (this.pending.has(id)) id = (id + 1) & 0xffff;
    const out = Buffer.from(msg);
    out.writeUInt16BE(id, 0);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, this.options.timeoutMs);
      this.pending.set(id, { upstream, question: msg.subarray(HEADER_LEN, query.questionEnd), resolve, timer });
      this.socket(upstream.family).send(out, upstream.port, upstream.address, (err) => {
        if (err) this.settle(id, undefined);
      });
    });
  }

  private viaTcp(msg: Uint8Array, upstream: Upstream): Promise<Buffer | undefined> {
    if (this.tcpSockets.size >= this.options.maxInFlight) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const sock = net.connect({ host: upstream.address, port: upstream.port });
      this.tcpSockets.add(sock);
      let buffered = Buffer.alloc(0);
      const done = (response: Buffer | undefined): void => {
        sock.destroy();
        this.tcpSockets.delete(sock);
        resolve(response);
      };
      sock.setTimeout(this.options.timeoutMs, () => done(undefined));
      sock.on('error', () => done(undefined));
      sock.on('close', () => done(undefined));
      sock.on('connect', () => {
        const frame = Buffer.allocUnsafe(2 + msg.length);
        frame.writeUInt16BE(msg.length, 0);
        frame.set(msg, 2);
        sock.write(frame);
      });
      sock.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const len = buffered.readUInt16BE(0);
          done(len >= HEADER_LEN ? Buffer.from(buffered.subarray(2, 2 + len)) : undefined);
        }
      });
    });
  }

  private socket(family: 4 | 6): dgram.Socket {
    let s = this.sockets.get(family);
    if (!s) {
      s = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
      s.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
      s.on('error', (err) => this.onError(err));
      this.sockets.set(family, s);
    }
    return s;
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (msg.length < HEADER_LEN) return;
    const p = this.pending.get(msg.readUInt16BE(0));
    if (!p || rinfo.port !== p.upstream.port || rinfo.address !== p.upstream.address) return;
    const q = p.question;
    if (msg.length < HEADER_LEN + q.length || !msg.subarray(HEADER_LEN, HEADER_LEN + q.length).equals(q)) return;
    this.settle(msg.readUInt16BE(0), msg);
  }

  private settle(id: number, response: Buffer | undefined): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(response);
  }
}
