import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { ResourceOf } from '../core/resources/typed-resource.js';
import { DnsResponder, type Reply } from './dns-responder.js';
import { decode, ednsOpt, encodeQuery, type Decoded } from '../../test/helpers/dns-client.js';
import { VipTable } from './vip-table.js';

function vip(ip: string, service?: string): ResourceOf<'VirtualIP'> {
  return {
    type: 'VirtualIP',
    meta: { name: ip.replaceAll('.', '-'), mesh: '', version: 1, creationTime: '', modificationTime: '' },
    spec: service ? { ip, service } : { ip, freedAt: '2024-01-01T00:00:00Z' },
  };
}

function setup(forwarding = false): DnsResponder {
  const table = new VipTable();
  table.upsert(vip('240.0.0.0', 'backend'));
  table.upsert(vip('240.0.0.1', 'backend_kuma-demo_svc_8080'));
  table.upsert(vip('240.0.0.2'));
  return new DnsResponder(table, { domain: 'mesh', ttl: 30, forwarding });
}

const query = (name: string, type: Parameters<typeof encodeQuery>[1] = 'A', extra: Parameters<typeof encodeQuery>[2] = {}): Buffer =>
  encodeQuery(name, type, { id: 4242, ...extra });

function answered(reply: Reply): Decoded {
  if (reply.kind !== 'answer') throw new Error(`expected an answer, got ${reply.kind}`);
  return decode(reply.bytes);
}

const edns = { additionals: [ednsOpt(4096, true)] };

describe('DnsResponder', () => {
  it('answers A for <service>.mesh with the VIP, TTL 30, authoritative, echoing id, RD and the question', () => {
    const res = answered(setup().respond(query('backend.mesh'), 'udp'));
    expect(res.id).toBe(4242);
    expect(res.rcode).toBe('NOERROR');
    expect(res.flag_aa).toBe(true);
    expect(res.flag_rd).toBe(true);
    expect(res.flag_tc).toBe(false);
    expect(res.questions).toEqual([{ name: 'backend.mesh', type: 'A', class: 'IN' }]);
    expect(res.answers).toEqual([expect.objectContaining({ name: 'backend.mesh', type: 'A', ttl: 30, data: '240.0.0.0' })]);
  });

  it('is case-insensitive and keeps the asker’s case in the question (0x20)', () => {
    const res = answered(setup().respond(query('BaCkEnD.MeSh'), 'udp'));
    expect(res.questions?.[0]?.name).toBe('BaCkEnD.MeSh');
    expect(res.answers?.[0]).toMatchObject({ name: 'BaCkEnD.MeSh', data: '240.0.0.0' });
  });

  it('rewrites inner dots to underscores like Kuma', () => {
    const res = answered(setup().respond(query('backend.kuma-demo.svc.8080.mesh'), 'udp'));
    expect(res.answers?.[0]).toMatchObject({ data: '240.0.0.1' });
  });

  it('answers AAAA and other types of a known name with NOERROR, no answer, SOA in authority', () => {
    for (const type of ['AAAA', 'TXT'] as const) {
      const res = answered(setup().respond(query('backend.mesh', type), 'udp'));
      expect(res.rcode).toBe('NOERROR');
      expect(res.answers).toEqual([]);
      expect(res.authorities).toEqual([expect.objectContaining({ type: 'SOA', name: 'mesh', ttl: 30 })]);
    }
  });

  it('answers ANY of a known name with its A record', () => {
    expect(answered(setup().respond(query('backend.mesh', 'ANY'), 'udp')).answers?.[0]).toMatchObject({ type: 'A', data: '240.0.0.0' });
  });

  it('answers unknown names in the domain, and freed VIPs, with NXDOMAIN and the SOA', () => {
    for (const name of ['nope.mesh', 'a.b.nope.mesh']) {
      const res = answered(setup().respond(query(name), 'udp'));
      expect(res.rcode).toBe('NXDOMAIN');
      expect(res.flag_aa).toBe(true);
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
      expect(res.authorities?.[0]).toMatchObject({ type: 'SOA', name: 'mesh', data: expect.objectContaining({ minimum: 30 }) });
    }
  });

  it('answers the SOA of the domain apex', () => {
    const res = answered(setup().respond(query('mesh', 'SOA'), 'udp'));
    expect(res.rcode).toBe('NOERROR');
    expect(res.answers?.[0]).toMatchObject({ type: 'SOA', name: 'mesh' });
  });

  it('refuses names outside the domain, or hands them to the forwarder when upstreams are set', () => {
    const res = answered(setup().respond(query('example.com'), 'udp'));
    expect(res.rcode).toBe('REFUSED');
    expect(res.flag_aa).toBe(false);
    expect(res.answers).toEqual([]);
    const fwd = setup(true).respond(query('example.com'), 'udp');
    expect(fwd).toMatchObject({ kind: 'forward', query: { qname: 'example.com', id: 4242 } });
  });

  it('answers EDNS0 queries with an OPT record echoing DO, our payload size and version 0', () => {
    const res = answered(setup().respond(query('backend.mesh', 'A', edns), 'udp'));
    expect(res.answers?.[0]).toMatchObject({ data: '240.0.0.0' });
    const opt = res.additionals?.find((a) => a.type === 'OPT');
    expect(opt).toMatchObject({ udpPayloadSize: 1232, flags: dnsPacket.DNSSEC_OK });
  });

  it('answers an unsupported EDNS version with BADVERS', () => {
    const msg = query('backend.mesh', 'A', edns);
    msg[msg.length - 11 + 6] = 1; // OPT version byte
    const reply = setup().respond(msg, 'udp');
    if (reply.kind !== 'answer') throw new Error('expected an answer');
    const res = decode(reply.bytes);
    expect(res.answers).toEqual([]);
    expect(reply.bytes[3]! & 0x0f).toBe(0);
    expect(res.additionals?.[0]).toMatchObject({ type: 'OPT', extendedRcode: 1 });
  });

  it('answers names up to the 255-byte wire limit and rejects longer ones', () => {
    const relative = ['a', 'b', 'c'].map((c) => c.repeat(63)).join('.') + '.' + 'd'.repeat(56); // with `mesh`: exactly 255 bytes on the wire
    const table = new VipTable();
    table.upsert(vip('240.0.0.9', relative));
    const responder = new DnsResponder(table, { domain: 'mesh', ttl: 30, forwarding: false });
    expect(answered(responder.respond(query(`${relative}.mesh`), 'udp')).answers?.[0]).toMatchObject({ data: '240.0.0.9' });
    const reply = responder.respond(query(`${relative}x.mesh`), 'udp'); // 256 bytes: dns-packet does not check, our parser must
    expect(reply.kind === 'answer' && reply.bytes[3]! & 0x0f).toBe(1);
  });

  it('rejects malformed queries with FORMERR or drops them', () => {
    const r = setup();
    const ok = query('backend.mesh');
    expect(r.respond(ok.subarray(0, 11), 'udp')).toEqual({ kind: 'drop' });
    const asResponse = Buffer.from(ok);
    asResponse[2]! |= 0x80;
    expect(r.respond(asResponse, 'udp')).toEqual({ kind: 'drop' });
    expect(r.respond(Buffer.alloc(5000), 'udp')).toEqual({ kind: 'drop' });

    const rcodeOf = (msg: Buffer): number => {
      const reply = r.respond(msg, 'udp');
      if (reply.kind !== 'answer') throw new Error(`expected an answer, got ${reply.kind}`);
      return reply.bytes[3]! & 0x0f;
    };
    const noQuestion = dnsPacket.encode({ type: 'query', id: 1, questions: [] });
    expect(rcodeOf(noQuestion)).toBe(1);
    const twoQuestions = dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'a.mesh' }, { type: 'A', name: 'b.mesh' }] });
    expect(rcodeOf(twoQuestions)).toBe(1);
    expect(rcodeOf(ok.subarray(0, ok.length - 2))).toBe(1); // truncated question
    const badLabel = Buffer.from(ok);
    badLabel[12] = 63; // label length past the end
    expect(rcodeOf(badLabel)).toBe(1);
    const pointer = Buffer.concat([ok.subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]); // points at itself
    expect(rcodeOf(pointer)).toBe(1);
    const notify = Buffer.from(ok);
    notify[2] = (4 << 3) | (notify[2]! & 0x87);
    expect(rcodeOf(notify)).toBe(4);
    const twoOpts = dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'backend.mesh' }], additionals: [...edns.additionals, ...edns.additionals] });
    expect(rcodeOf(twoOpts)).toBe(1);
  });
});

describe('DnsResponder under hostile input', () => {
  it('never throws on random and mutated packets, and every reply it sends decodes as DNS', () => {
    const r = setup();
    const seeds = [query('backend.mesh'), query('Backend.Kuma-Demo.svc.8080.mesh', 'AAAA', edns), query('example.com'), query('mesh', 'SOA', edns)];
    let rnd = 987654321;
    const next = (n: number): number => {
      rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
      return rnd % n;
    };
    let answers = 0;
    for (let i = 0; i < 20_000; i++) {
      let msg: Buffer;
      if (i % 4 === 0) msg = Buffer.from(Array.from({ length: next(300) }, () => next(256)));
      else {
        msg = Buffer.from(seeds[next(seeds.length)]!);
        for (let k = 0, n = 1 + next(3); k < n; k++) msg[next(msg.length)] = next(256);
        if (next(4) === 0) msg = msg.subarray(0, next(msg.length));
      }
      const reply = r.respond(msg, next(2) === 0 ? 'udp' : 'tcp');
      if (reply.kind !== 'answer') continue;
      answers++;
      expect(reply.bytes.readUInt16BE(0)).toBe(msg.readUInt16BE(0));
      expect(reply.bytes[2]! & 0x80).toBe(0x80);
      expect(() => decode(reply.bytes)).not.toThrow();
    }
    expect(answers).toBeGreaterThan(4_000);
  });
});
