import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { buildResponse, encodeARecord, responseLimit } from './dns-response.js';
import { parseQuery, RCODE, type Query } from './dns-wire.js';
import { ednsOpt } from '../../test/helpers/dns-client.js';

function parsed(msg: Buffer): Query {
  const p = parseQuery(msg);
  if (!p.ok) throw new Error('query did not parse');
  return p.query;
}

describe('buildResponse', () => {
  const plain = dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name: 'backend.mesh' }] });
  const withEdns = dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name: 'backend.mesh' }], additionals: [ednsOpt(1400)] });

  it('limits UDP responses to 512 bytes without EDNS, to the advertised size with it, and TCP to 64 KiB', () => {
    expect(responseLimit(parsed(plain), 'udp')).toBe(512);
    expect(responseLimit(parsed(withEdns), 'udp')).toBe(1400);
    expect(responseLimit(parsed(plain), 'tcp')).toBe(65535);
  });

  it('drops the records and sets TC when the response exceeds the limit, keeping question and OPT', () => {
    const q = parsed(withEdns);
    const answer = encodeARecord(Uint8Array.of(240, 0, 0, 1), 30);
    const fits = dnsPacket.decode(buildResponse(withEdns, q, { rcode: RCODE.NOERROR, aa: true, ra: false, answer }, 1400));
    expect(fits.flag_tc).toBe(false);
    expect(fits.answers).toHaveLength(1);
    const cut = dnsPacket.decode(buildResponse(withEdns, q, { rcode: RCODE.NOERROR, aa: true, ra: false, answer }, 40));
    expect(cut.flag_tc).toBe(true);
    expect(cut.answers).toEqual([]);
    expect(cut.questions).toEqual([{ type: 'A', name: 'backend.mesh', class: 'IN' }]);
    expect(cut.additionals).toEqual([expect.objectContaining({ type: 'OPT' })]);
  });
});
