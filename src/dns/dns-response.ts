import dnsPacket from 'dns-packet';
import { CLASSIC_UDP_SIZE, HEADER_LEN, QTYPE, type Query } from './dns-wire.js';

/** UDP payload size we advertise in EDNS responses (the DNS flag day 2020 value). */
export const OUR_UDP_SIZE = 1232;
const OPT_LEN = 11;

export interface ResponseParts {
  readonly rcode: number;
  /** Authoritative answer (names in our domain). */
  readonly aa: boolean;
  /** Recursion available (upstreams configured). */
  readonly ra: boolean;
  /** Pre-encoded resource records. */
  readonly answer?: Uint8Array;
  readonly authority?: Uint8Array;
}

/** Largest response the requester accepts on this transport (TCP: the 16-bit frame length). */
export function responseLimit(query: Query, transport: 'udp' | 'tcp'): number {
  if (transport === 'tcp') return 65535;
  return query.edns ? Math.min(query.edns.udpSize, 4096) : CLASSIC_UDP_SIZE;
}

/**
 * Response = header + the query's question bytes (original case) + records + OPT when the query had EDNS.
 * If it does not fit `limit`, the records are dropped and TC is set, so the client retries over TCP.
 */
export function buildResponse(queryBuf: Uint8Array, query: Query, parts: ResponseParts, limit: number): Buffer {
  const answerLen = parts.answer?.length ?? 0;
  const authorityLen = parts.authority?.length ?? 0;
  const optLen = query.edns ? OPT_LEN : 0;
  const full = query.questionEnd + answerLen + authorityLen + optLen;
  const tc = full > limit;
  const out = Buffer.allocUnsafe(tc ? query.questionEnd + optLen : full);
  writeHeader(out, query.id, query.rd, parts.aa, tc, parts.ra, parts.rcode);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(tc ? 0 : parts.answer ? 1 : 0, 6);
  out.writeUInt16BE(tc ? 0 : parts.authority ? 1 : 0, 8);
  out.writeUInt16BE(optLen ? 1 : 0, 10);
  out.set(queryBuf.subarray(HEADER_LEN, query.questionEnd), HEADER_LEN);
  let off = query.questionEnd;
  if (!tc && parts.answer) off += copy(out, parts.answer, off);
  if (!tc && parts.authority) off += copy(out, parts.authority, off);
  if (query.edns) writeOpt(out, off, parts.rcode, query.edns.dnssecOk);
  return out;
}

/** Header-only error response (FORMERR, NOTIMP) to a query that could not be parsed further. */
export function errorResponse(queryBuf: Uint8Array, rcode: number): Buffer {
  const out = Buffer.alloc(HEADER_LEN);
  out[0] = queryBuf[0]!;
  out[1] = queryBuf[1]!;
  out[2] = 0x80 | (queryBuf[2]! & 0x79); // QR + the query's opcode and RD
  out[3] = rcode & 0x0f;
  return out;
}

/** An A record whose owner is the question name (compression pointer to offset 12). */
export function encodeARecord(address: Uint8Array, ttl: number): Uint8Array {
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(QTYPE.A, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(ttl, 6);
  rr.writeUInt16BE(4, 10);
  rr.set(address, 12);
  return rr;
}

/** The SOA of `domain` (authority of negative answers; RFC 2308: its minimum bounds negative caching). */
export function encodeSoaRecord(domain: string, ttl: number, serial: number): Uint8Array {
  const packet = dnsPacket.encode({
    type: 'response',
    id: 0,
    authorities: [
      {
        type: 'SOA',
        name: domain,
        ttl,
        data: { mname: `ns.${domain}`, rname: `hostmaster.${domain}`, serial, refresh: 3600, retry: 600, expire: 86400, minimum: ttl },
      },
    ],
  });
  return packet.subarray(HEADER_LEN);
}

function writeHeader(out: Buffer, id: number, rd: boolean, aa: boolean, tc: boolean, ra: boolean, rcode: number): void {
  out.writeUInt16BE(id, 0);
  out[2] = 0x80 | (aa ? 0x04 : 0) | (tc ? 0x02 : 0) | (rd ? 0x01 : 0);
  out[3] = (ra ? 0x80 : 0) | (rcode & 0x0f);
}

function writeOpt(out: Buffer, off: number, rcode: number, dnssecOk: boolean): void {
  out[off] = 0; // root owner
  out.writeUInt16BE(QTYPE.OPT, off + 1);
  out.writeUInt16BE(OUR_UDP_SIZE, off + 3);
  out[off + 5] = rcode >> 4; // extended rcode
  out[off + 6] = 0; // version
  out[off + 7] = dnssecOk ? 0x80 : 0;
  out[off + 8] = 0;
  out.writeUInt16BE(0, off + 9);
}

function copy(out: Buffer, bytes: Uint8Array, off: number): number {
  out.set(bytes, off);
  return bytes.length;
}
