import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { aRecords, dig, kdig, statusOf } from '../helpers/dns-tools.js';

/** An upstream resolver on UDP and TCP answering `big.example.` with 60 A records and anything else with one. */
async function fakeUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const answer = (msg: Buffer): Buffer => {
    const q = dnsPacket.decode(msg);
    const name = q.questions?.[0]?.name ?? '';
    const count = name.toLowerCase() === 'big.example' ? 60 : 1;
    return dnsPacket.encode({
      type: 'response',
      id: q.id ?? 0,
      flags: dnsPacket.RECURSION_AVAILABLE | dnsPacket.RECURSION_DESIRED,
      questions: q.questions ?? [],
      answers: Array.from({ length: count }, (_, i) => ({ type: 'A' as const, name, ttl: 7, data: `198.51.100.${i + 1}` })),
    });
  };
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => udp.send(answer(msg), rinfo.port, rinfo.address));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const port = udp.address().port;
  const tcp = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const reply = answer(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        sock.write(Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 255]), reply]));
      }
    });
  });
  await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', r));
  return { port, close: async () => void (await Promise.all([new Promise((r) => udp.close(() => r(undefined))), new Promise((r) => tcp.close(() => r(undefined)))])) };
}

describe('DNS forwarding to KUMA_DNS_SERVER_UPSTREAMS', () => {
  let cp: CpProcess;
  let port: number;
  let upstream: Awaited<ReturnType<typeof fakeUpstream>>;

  beforeAll(async () => {
    upstream = await fakeUpstream();
    cp = await startCp({ env: { KUMA_DNS_SERVER_UPSTREAMS: `127.0.0.1:${upstream.port}` } });
    port = cp.ports.dnsUdp!;
  });
  afterAll(async () => {
    await stopAll();
    await upstream.close();
  });

  it('forwards names outside the domain and relays the upstream answer', async () => {
    const out = await dig(port, 'www.example');
    expect(statusOf(out)).toBe('NOERROR');
    expect(out).toMatch(/flags: qr rd ra;/);
    expect(aRecords(out)).toEqual([['www.example.', 7, '198.51.100.1']]);
  });

  it('truncates over UDP when the answer does not fit, and gives the full answer over TCP', async () => {
    const udp = await dig(port, '+noedns', '+ignore', 'big.example');
    expect(udp).toMatch(/flags: qr tc rd ra;/);
    expect(aRecords(udp)).toEqual([]);
    const tcp = await dig(port, '+tcp', 'big.example');
    expect(aRecords(tcp)).toHaveLength(60);
    // kdig asks over UDP, gets TC, and retries over TCP by itself.
    const k = await kdig(port, 'big.example');
    expect(k).toMatch(/From 127\.0\.0\.1@\d+\(TCP\)/);
    expect(aRecords(k)).toHaveLength(60);
  });

  it('still answers its own domain locally', async () => {
    const out = await dig(port, 'nope.mesh');
    expect(statusOf(out)).toBe('NXDOMAIN');
  });
});
