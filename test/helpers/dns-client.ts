import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket, type OptAnswer, type Packet, type RecordType } from 'dns-packet';

/** dns-packet sets `rcode` on decoded packets; its type declarations omit it. */
export type Decoded = DecodedPacket & { rcode: string };

export function decode(buf: Buffer): Decoded {
  return dnsPacket.decode(buf) as Decoded;
}

/** An EDNS0 OPT pseudo-record for a query's additional section. */
export function ednsOpt(udpPayloadSize = 1232, dnssecOk = false): OptAnswer {
  return { type: 'OPT', name: '.', udpPayloadSize, extendedRcode: 0, ednsVersion: 0, flags: dnssecOk ? dnsPacket.DNSSEC_OK : 0, flag_do: dnssecOk, options: [] };
}

/** Test support: a query packet (id 1 unless given). `ANY` is missing from dns-packet's type list but supported. */
export function encodeQuery(name: string, type: RecordType | 'ANY' = 'A', extra: Partial<Packet> = {}): Buffer {
  return dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: type as RecordType, name }], ...extra });
}

/** Test support: sends raw bytes over UDP and resolves with the first reply, or undefined after `timeoutMs`. */
export function udpExchange(port: number, msg: Uint8Array, timeoutMs = 3000, host = '127.0.0.1'): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const done = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      sock.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.on('message', (reply) => done(reply));
    sock.on('error', () => done(undefined));
    sock.send(msg, port, host);
  });
}

export async function udpQuery(port: number, msg: Uint8Array, timeoutMs?: number): Promise<Decoded> {
  const reply = await udpExchange(port, msg, timeoutMs);
  if (!reply) throw new Error('no UDP reply');
  return decode(reply);
}

/** Test support: sends length-prefixed messages on one TCP connection and resolves with `count` replies. */
export function tcpQuery(port: number, msgs: Uint8Array[], count = msgs.length, host = '127.0.0.1'): Promise<Decoded[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host });
    let buf = Buffer.alloc(0);
    const replies: Decoded[] = [];
    sock.setTimeout(3000, () => {
      sock.destroy();
      reject(new Error(`TCP: got ${replies.length}/${count} replies`));
    });
    sock.on('error', reject);
    sock.on('connect', () => {
      sock.write(Buffer.concat(msgs.map((m) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 255]), m]))));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (replies.length >= count) {
        sock.destroy();
        resolve(replies);
      }
    });
  });
}
