import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BindError } from '../core/runtime/listen.js';
import type { Runtime } from '../core/runtime/runtime.js';
import { dnsComponents } from './dns-components.js';
import { dnsServerComponent } from './dns-server-component.js';
import { decode, ednsOpt, encodeQuery, tcpQuery, udpExchange, udpQuery } from '../../test/helpers/dns-client.js';
import { startComponent, testRuntime } from '../../test/helpers/dns-runtime.js';
import { freeUdpPort } from '../../test/helpers/free-port.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Starts DNS (server + allocator) on a free port and returns it. */
/**
 * UDP and TCP must share one port here, so a probed free port is used; another process may take it before
 * we bind (tests run in parallel), so a start that fails on the bind is retried on a new port.
 */
async function startDns(settings: Record<string, unknown> = {}, prepare?: (rt: Runtime) => Promise<void>): Promise<{ rt: Runtime; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeUdpPort();
    const rt = testRuntime({ ...settings, port });
    await prepare?.(rt);
    const started: { stop(): Promise<void> }[] = [];
    try {
      for (const c of dnsComponents(rt).reverse()) started.push(await startComponent(c));
    } catch (err) {
      await Promise.all(started.map((h) => h.stop()));
      if (!(err instanceof BindError) || attempt >= 5) throw err;
      continue;
    }
    cleanups.push(...started.map((h) => () => h.stop()));
    return { rt, port };
  }
}

async function seed(rt: Runtime): Promise<void> {
  await rt.manager.create('Mesh', { name: 'default', mesh: '' }, {});
  await rt.manager.create('Dataplane', { name: 'web-1', mesh: 'default' }, {
    networking: { address: '10.0.0.1', inbound: [{ port: 80, tags: { 'kuma.io/service': 'web' } }, { port: 81, tags: { 'kuma.io/service': 'backend_kuma-demo_svc_8080' } }] },
  });
}

/** A fake upstream resolver on UDP and TCP (same port) answering every query with `records` A records. */
async function fakeUpstream(records: number): Promise<number> {
  const answerFor = (msg: Buffer): Buffer => {
    const q = dnsPacket.decode(msg);
    const name = q.questions?.[0]?.name ?? '';
    return dnsPacket.encode({
      type: 'response',
      id: q.id ?? 0,
      flags: dnsPacket.RECURSION_AVAILABLE,
      questions: q.questions ?? [],
      answers: Array.from({ length: records }, (_, i) => ({ type: 'A' as const, name, ttl: 5, data: `192.0.2.${i + 1}` })),
    });
  };
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => udp.send(answerFor(msg), rinfo.port, rinfo.address));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const port = udp.address().port;
  const tcp = net.createServer((sock) => {
    sock.on('data', (chunk: Buffer) => {
      const reply = answerFor(chunk.subarray(2, 2 + chunk.readUInt16BE(0)));
      sock.write(Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 255]), reply]));
    });
  });
  await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => udp.close(() => r())), () => new Promise<void>((r) => tcp.close(() => r())));
  return port;
}

describe('DNS server component', () => {
  it('answers over UDP and TCP on the same port, and resolves a new service right after it appears', async () => {
    const { rt, port } = await startDns({}, seed);
    expect((await udpQuery(port, encodeQuery('web.mesh'))).answers?.[0]).toMatchObject({ data: '240.0.0.1', ttl: 30 });
    const [a, b] = await tcpQuery(port, [encodeQuery('WEB.mesh', 'A', { id: 1 }), encodeQuery('backend.kuma-demo.svc.8080.mesh', 'A', { id: 2 })]);
    const byId = new Map([a, b].map((r) => [r?.id, r?.answers?.[0]]));
    expect(byId.get(1)).toMatchObject({ data: '240.0.0.1' });
    expect(byId.get(2)).toMatchObject({ data: '240.0.0.0' });

    await rt.manager.create('Dataplane', { name: 'redis-1', mesh: 'default' }, { networking: { address: '10.0.0.2', inbound: [{ port: 6379, tags: { 'kuma.io/service': 'redis' } }] } });
    await vi.waitFor(async () => expect((await udpQuery(port, encodeQuery('redis.mesh'))).answers?.[0]).toMatchObject({ data: '240.0.0.2' }), { timeout: 10_000, interval: 10 });
  });

  it('forwards outside names to upstreams: TC over UDP when too big, in full over TCP; SERVFAIL when none answers', async () => {
    const upstream = await fakeUpstream(40); // 40 A records: ~700 bytes, more than 512
    const { port } = await startDns({ upstreams: [`127.0.0.1:${upstream}`] });

    const small = await udpQuery(port, encodeQuery('example.com', 'A', { id: 77, additionals: [ednsOpt(1232)] }));
    expect(small.id).toBe(77);
    expect(small.answers).toHaveLength(40);
    const cut = await udpQuery(port, encodeQuery('example.com', 'A', { id: 78 }));
    expect(cut).toMatchObject({ id: 78, flag_tc: true, answers: [] });
    const [full] = await tcpQuery(port, [encodeQuery('example.com', 'A', { id: 79 })]);
    expect(full).toMatchObject({ id: 79, flag_tc: false });
    expect(full?.answers).toHaveLength(40);
    // Names in the domain are still answered locally.
    expect((await udpQuery(port, encodeQuery('nope.mesh'))).rcode).toBe('NXDOMAIN');
  });

  it('answers SERVFAIL when no upstream answers', async () => {
    const dead = dgram.createSocket('udp4'); // bound, never answers
    await new Promise<void>((r) => dead.bind(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => dead.close(() => r())));
    const { port } = await startDns({ upstreams: [`127.0.0.1:${dead.address().port}`] });
    const res = await udpQuery(port, encodeQuery('example.com'), 4000);
    expect(res.rcode).toBe('SERVFAIL');
  });

  it('answers over UDP while the main event loop is busy (xDS work does not delay DNS)', async () => {
    const { port } = await startDns({}, seed);
    await vi.waitFor(async () => expect((await udpQuery(port, encodeQuery('web.mesh'))).rcode).toBe('NOERROR'), { timeout: 10_000, interval: 20 });
    // dig runs in its own process; this thread is blocked for 1.5 s right after starting it.
    const dig = spawn('dig', [`@127.0.0.1`, '-p', String(port), 'web.mesh', 'A', '+tries=1', '+time=5']);
    let out = '';
    dig.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => dig.on('close', r));
    await new Promise<void>((r) => dig.on('spawn', () => r()));
    const blockedFrom = performance.now();
    while (performance.now() - blockedFrom < 1500) {
      // busy: a long synchronous step, like generating a large mesh or encoding a big push
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/status: NOERROR/);
    expect(out).toMatch(/web\.mesh\.\s+\d+\s+IN\s+A\s+240\.0\.0\.1/);
    // Answered by the resolver thread within the blocked stretch (the main thread would answer after it).
    const ms = Number(/Query time: (\d+) msec/.exec(out)?.[1]);
    expect(ms).toBeLessThan(1000);
  });

  it('refuses to start when the port is taken, naming the port', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((r) => taken.bind(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => taken.close(() => r())));
    const port = taken.address().port;
    const c = dnsServerComponent(testRuntime({ port }));
    await expect(c.start(new AbortController().signal, () => undefined)).rejects.toThrow(new RegExp(`port ${port} .*in use.*dns-udp`));
  });

  it('survives thousands of random and mutated packets over UDP and TCP, then still answers', async () => {
    const { port } = await startDns({}, seed);
    const seeds = [
      encodeQuery('web.mesh'),
      encodeQuery('web.mesh', 'AAAA', { additionals: [ednsOpt(4096, true)] }),
      encodeQuery('example.com'),
      encodeQuery('mesh', 'SOA'),
    ];
    let rnd = 12345;
    const next = (n: number): number => {
      rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
      return rnd % n;
    };
    const packets: Buffer[] = [];
    for (let i = 0; i < 6000; i++) {
      if (i % 3 === 0) {
        packets.push(Buffer.from(Array.from({ length: next(600) }, () => next(256))));
        continue;
      }
      const p = Buffer.from(seeds[next(seeds.length)]!);
      for (let k = 0, n = 1 + next(4); k < n; k++) p[next(p.length)] = next(256);
      packets.push(next(5) === 0 ? p.subarray(0, next(p.length)) : p);
    }
    packets.push(Buffer.alloc(9000, 0xff)); // oversized
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    for (let i = 0; i < packets.length; i++) {
      sock.send(packets[i]!, port, '127.0.0.1');
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    sock.close();
    // TCP: garbage frames, a frame length past the end, a huge length, and a half-open frame.
    for (const junk of [Buffer.from([0, 3, 1, 2, 3]), Buffer.from([0xff, 0xff, 1]), Buffer.concat([Buffer.from([0, 40]), encodeQuery('web.mesh').subarray(0, 20)]), ...packets.slice(0, 50)]) {
      await new Promise<void>((resolve) => {
        const s = net.connect({ port, host: '127.0.0.1' }, () => {
          s.end(junk);
        });
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.resume();
      });
    }
    expect((await udpQuery(port, encodeQuery('web.mesh', 'A', { id: 9 }))).answers?.[0]).toMatchObject({ data: '240.0.0.1' });
    const [tcp] = await tcpQuery(port, [encodeQuery('web.mesh', 'A', { id: 10 })]);
    expect(tcp?.answers?.[0]).toMatchObject({ data: '240.0.0.1' });
    expect(await udpExchange(port, Buffer.alloc(3), 100)).toBeUndefined(); // too short: dropped, no reply
    expect(decode((await udpExchange(port, encodeQuery('web.mesh').subarray(0, 14)))!).rcode).toBe('FORMERR');
  });
});
