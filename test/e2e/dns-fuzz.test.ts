import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseQuery } from '../../src/dns/dns-wire.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { ednsOpt, encodeQuery, tcpQuery, udpQuery } from '../helpers/dns-client.js';
import { aRecords, dig } from '../helpers/dns-tools.js';

/** Deterministic pseudo-random generator so a failure can be replayed. */
function rng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s % n;
  };
}

function hostilePackets(count: number, next: (n: number) => number): Buffer[] {
  const seeds = [
    encodeQuery('web.mesh'),
    encodeQuery('WEB.mesh', 'AAAA', { additionals: [ednsOpt(4096, true)] }),
    encodeQuery('nope.mesh', 'TXT'),
    encodeQuery('example.com'),
    encodeQuery('mesh', 'SOA', { additionals: [ednsOpt(512)] }),
  ];
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const kind = next(6);
    if (kind === 0) {
      out.push(Buffer.from(Array.from({ length: next(700) }, () => next(256)))); // random bytes
    } else if (kind === 1) {
      // header claiming many questions / records, followed by a compression loop
      const p = Buffer.from(seeds[0]!.subarray(0, 12));
      p.writeUInt16BE(next(0x10000), 4);
      p.writeUInt16BE(next(0x10000), 10);
      out.push(Buffer.concat([p, Buffer.from([0xc0, 12, 0xc0, 14, 0, 1, 0, 1])]));
    } else {
      const p = Buffer.from(seeds[next(seeds.length)]!);
      for (let k = 0, n = 1 + next(5); k < n; k++) p[next(p.length)] = next(256);
      out.push(kind === 2 ? p.subarray(0, next(p.length)) : p); // truncated or bit-flipped
    }
  }
  return out;
}

describe('DNS server under hostile input (built daemon)', () => {
  let cp: CpProcess;
  let port: number;
  let vip: string;

  beforeAll(async () => {
    cp = await startCp();
    port = cp.ports.dnsUdp!;
    const res = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/web-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'Dataplane', mesh: 'default', name: 'web-1', networking: { address: '10.0.0.1', inbound: [{ port: 80, tags: { 'kuma.io/service': 'web' } }] } }),
    });
    expect(res.status).toBeLessThan(300);
    await vi.waitFor(async () => expect(aRecords(await dig(port, 'web.mesh'))).toHaveLength(1), { timeout: 10_000, interval: 20 });
    vip = aRecords(await dig(port, 'web.mesh'))[0]![2];
  });
  afterAll(stopAll);

  it('answers or drops each of 20,000 random and mutated UDP packets plus oversized ones, and keeps answering normal queries throughout', async () => {
    const next = rng(20240501);
    const hostile = [...hostilePackets(20_000, next), Buffer.alloc(8000, 0x41), Buffer.alloc(60_000, 0)];
    // What the server must do with each: answer (a query, or FORMERR/NOTIMP) or drop silently; no forwarding is configured.
    const mustAnswer = hostile.filter((p) => {
      const parsed = parseQuery(p);
      return parsed.ok || parsed.rcode !== undefined;
    }).length;
    expect(mustAnswer).toBeGreaterThan(5000);
    expect(hostile.length - mustAnswer).toBeGreaterThan(1000);

    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    let replies = 0;
    let undecodable = 0;
    sock.on('message', (msg) => {
      replies++;
      if (msg.length < 12 || (msg[2]! & 0x80) === 0) undecodable++;
    });
    // Batches small enough for the server's socket buffer; after each, a normal query from another socket
    // must get the right answer (the server reads in order, so the batch has been handled by then).
    const BATCH = 40;
    let probes = 0;
    for (let i = 0; i < hostile.length; i += BATCH) {
      await Promise.all(hostile.slice(i, i + BATCH).map((p) => new Promise<void>((r) => sock.send(p, port, '127.0.0.1', () => r()))));
      const probe = await udpQuery(port, encodeQuery('web.mesh', 'A', { id: 4711 }));
      expect(probe.answers?.[0]).toMatchObject({ name: 'web.mesh', data: vip });
      probes++;
    }
    await vi.waitFor(() => expect(replies).toBe(mustAnswer), { timeout: 10_000, interval: 10 });
    sock.close();
    expect(probes).toBeGreaterThan(500);
    expect(undecodable).toBe(0);
    expect(aRecords(await dig(port, 'web.mesh'))).toEqual([['web.mesh.', 30, vip]]);
  });

  it('survives garbage over TCP (bad frame lengths, half frames, idle and abruptly closed connections)', async () => {
    const next = rng(7);
    const junk = [Buffer.from([0, 2, 1, 2]), Buffer.from([0xff, 0xff]), Buffer.from([0, 200, ...encodeQuery('web.mesh')]), ...hostilePackets(300, next).map((p) => Buffer.concat([Buffer.from([p.length >> 8, p.length & 255]), p]))];
    await Promise.all(
      junk.map(
        (j, i) =>
          new Promise<void>((resolve) => {
            const s = net.connect({ port, host: '127.0.0.1' }, () => (i % 2 ? s.end(j) : s.write(j, () => s.destroy())));
            s.on('error', () => resolve());
            s.on('close', () => resolve());
            s.resume();
          }),
      ),
    );
    const [ok] = await tcpQuery(port, [encodeQuery('web.mesh', 'A', { id: 5 })]);
    expect(ok?.answers?.[0]).toMatchObject({ data: vip });
    expect(aRecords(await dig(port, '+tcp', 'web.mesh'))).toEqual([['web.mesh.', 30, vip]]);
    expect(cp.logs().some((l) => /"level":(50|60)/.test(l))).toBe(false); // nothing logged as error/fatal
  });
});
