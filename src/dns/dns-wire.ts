/**
 * Parsing of DNS queries (RFC 1035 §4, EDNS0 RFC 6891), written for the hot path and for hostile input.
 * Measured on this machine before hand-rolling: dns-packet decode+encode of a one-question query and its
 * A answer costs ~3.4 µs; reading the header/question directly and copying pre-encoded answer bytes costs
 * ~0.6 µs. dns-packet is still used where speed does not matter (pre-encoding the SOA, tests).
 * Every read is bounds-checked; nothing here follows a compression pointer, so a loop cannot exist.
 */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;
export const QTYPE = { A: 1, NS: 2, SOA: 6, AAAA: 28, OPT: 41, ANY: 255 } as const;
export const QCLASS_IN = 1;
export const QCLASS_ANY = 255;
export const HEADER_LEN = 12;
/** Plain DNS over UDP without EDNS. */
export const CLASSIC_UDP_SIZE = 512;
/** Largest query message accepted on either transport; a real query is far smaller. */
export const MAX_QUERY_LEN = 4096;
const MAX_NAME_WIRE_LEN = 255;

export interface Edns {
  /** Requester's UDP payload size, at least 512. */
  readonly udpSize: number;
  readonly version: number;
  readonly dnssecOk: boolean;
}

export interface Query {
  readonly id: number;
  /** Recursion desired. */
  readonly rd: boolean;
  /** Lowercase (ASCII), labels joined with dots, no trailing dot; '' for the root. */
  readonly qname: string;
  readonly qtype: number;
  readonly qclass: number;
  /** Offset just past the question: bytes [12, questionEnd) are echoed in the response. */
  readonly questionEnd: number;
  readonly edns?: Edns;
}

/** A query, or what to do instead of answering it: drop it silently, or answer with a header-only error. */
export type ParsedQuery = { readonly ok: true; readonly query: Query } | { readonly ok: false; readonly rcode?: number };

const DROP: Readonly<ParsedQuery> = { ok: false };
const formErr: Readonly<ParsedQuery> = { ok: false, rcode: RCODE.FORMERR };

export function parseQuery(buf: Uint8Array): ParsedQuery {
  if (buf.length < HEADER_LEN || buf.length > MAX_QUERY_LEN) return DROP;
  const flagsHi = buf[2]!;
  if (flagsHi & 0x80) return DROP; // a response: never answer it (no reflection loops)
  if ((flagsHi >> 3) & 0x0f) return { ok: false, rcode: RCODE.NOTIMP }; // opcode other than QUERY
  const qdcount = u16(buf, 4);
  if (qdcount !== 1 || u16(buf, 6) !== 0 || u16(buf, 8) !== 0) return formErr;

  let off = HEADER_LEN;
  let qname = '';
  for (;;) {
    const len = buf[off];
    if (len === undefined) return formErr;
    if (len === 0) {
      off += 1;
      break;
    }
    if (len & 0xc0) return formErr; // compression pointer or extended label type: not in a question
    if (off + 1 + len > buf.length || off + 1 + len - HEADER_LEN >= MAX_NAME_WIRE_LEN) return formErr;
    const label = Buffer.from(buf.buffer, buf.byteOffset + off + 1, len).toString('latin1');
    qname = qname === '' ? label : `${qname}.${label}`;
    off += 1 + len;
  }
  if (off + 4 > buf.length) return formErr;
  const qtype = u16(buf, off);
  const qclass = u16(buf, off + 2);
  const questionEnd = off + 4;
  const edns = parseAdditionals(buf, questionEnd, u16(buf, 10));
  if (edns === null) return formErr;
  const query: Query = { id: u16(buf, 0), rd: (flagsHi & 0x01) !== 0, qname: lowerAscii(qname), qtype, qclass, questionEnd, ...(edns ? { edns } : {}) };
  return { ok: true, query };
}

/** The OPT record if present; null if the additional section is malformed or has two OPTs. */
function parseAdditionals(buf: Uint8Array, start: number, count: number): Edns | undefined | null {
  let off = start;
  let edns: Edns | undefined;
  for (let i = 0; i < count; i++) {
    const nameStart = off;
    off = skipName(buf, off);
    if (off < 0 || off + 10 > buf.length) return null;
    const type = u16(buf, off);
    const rdlen = u16(buf, off + 8);
    if (off + 10 + rdlen > buf.length) return null;
    if (type === QTYPE.OPT) {
      if (edns || off !== nameStart + 1 || buf[nameStart] !== 0) return null; // one OPT, owner = root
      edns = { udpSize: Math.max(CLASSIC_UDP_SIZE, u16(buf, off + 2)), version: buf[off + 5]!, dnssecOk: (buf[off + 6]! & 0x80) !== 0 };
    }
    off += 10 + rdlen;
  }
  return edns;
}

/** Offset past a (possibly compressed) owner name without following pointers; -1 if malformed. */
function skipName(buf: Uint8Array, start: number): number {
  let off = start;
  for (;;) {
    const len = buf[off];
    if (len === undefined) return -1;
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2 <= buf.length ? off + 2 : -1;
    if (len & 0xc0) return -1;
    off += 1 + len;
    if (off - start > MAX_NAME_WIRE_LEN) return -1;
  }
}

function u16(buf: Uint8Array, off: number): number {
  return (buf[off]! << 8) | buf[off + 1]!;
}

/** DNS case-insensitivity is ASCII-only: other bytes keep their value. */
function lowerAscii(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}
