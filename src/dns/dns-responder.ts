import { buildResponse, encodeARecord, encodeSoaRecord, errorResponse, responseLimit } from './dns-response.js';
import { parseQuery, QCLASS_ANY, QCLASS_IN, QTYPE, RCODE, type Query } from './dns-wire.js';
import { relativeName } from './name-rules.js';
import type { VipTable } from './vip-table.js';

export interface ResponderOptions {
  /** Normalised domain (`mesh`). */
  readonly domain: string;
  /** TTL of answers and of negative caching, seconds. */
  readonly ttl: number;
  /** Names outside the domain go to upstream resolvers instead of REFUSED. */
  readonly forwarding: boolean;
}

/** What to do with one incoming message. */
export type Reply =
  | { readonly kind: 'answer'; readonly bytes: Buffer }
  | { readonly kind: 'drop' }
  | { readonly kind: 'forward'; readonly query: Query };

const DROP: Readonly<Reply> = { kind: 'drop' };

/**
 * Answers queries for `<service>.<domain>` from the VIP table. Synchronous and allocation-light:
 * parse header and question, one or two Map lookups, one buffer write.
 */
export class DnsResponder {
  private readonly soa: Uint8Array;
  /** A records per address, encoded once (the table hands out the same Uint8Array per VIP). */
  private readonly aRecords = new WeakMap<Uint8Array, Uint8Array>();

  constructor(
    private readonly table: VipTable,
    private readonly options: ResponderOptions,
  ) {
    this.soa = encodeSoaRecord(options.domain, options.ttl, Math.floor(Date.now() / 1000));
  }

  respond(msg: Uint8Array, transport: 'udp' | 'tcp'): Reply {
    const parsed = parseQuery(msg);
    if (!parsed.ok) return parsed.rcode === undefined ? DROP : { kind: 'answer', bytes: errorResponse(msg, parsed.rcode) };
    const q = parsed.query;
    const limit = responseLimit(q, transport);
    const ra = this.options.forwarding;
    if (q.edns && q.edns.version > 0) return this.answer(msg, q, { rcode: RCODE.BADVERS, aa: false, ra }, limit);
    const relative = relativeName(q.qname, this.options.domain);
    if (relative === undefined) {
      return this.options.forwarding ? { kind: 'forward', query: q } : this.answer(msg, q, { rcode: RCODE.REFUSED, aa: false, ra }, limit);
    }
    if (q.qclass !== QCLASS_IN && q.qclass !== QCLASS_ANY) return this.answer(msg, q, { rcode: RCODE.REFUSED, aa: false, ra }, limit);
    if (relative === '') {
      return q.qtype === QTYPE.SOA || q.qtype === QTYPE.ANY
        ? this.answer(msg, q, { rcode: RCODE.NOERROR, aa: true, ra, answer: this.soa }, limit)
        : this.answer(msg, q, { rcode: RCODE.NOERROR, aa: true, ra, authority: this.soa }, limit);
    }
    const address = this.table.resolve(relative);
    if (!address) return this.answer(msg, q, { rcode: RCODE.NXDOMAIN, aa: true, ra, authority: this.soa }, limit);
    if (q.qtype !== QTYPE.A && q.qtype !== QTYPE.ANY) return this.answer(msg, q, { rcode: RCODE.NOERROR, aa: true, ra, authority: this.soa }, limit);
    return this.answer(msg, q, { rcode: RCODE.NOERROR, aa: true, ra, answer: this.aRecord(address) }, limit);
  }

  private aRecord(address: Uint8Array): Uint8Array {
    let rr = this.aRecords.get(address);
    if (!rr) this.aRecords.set(address, (rr = encodeARecord(address, this.options.ttl)));
    return rr;
  }

  private answer(msg: Uint8Array, q: Query, parts: Parameters<typeof buildResponse>[2], limit: number): Reply {
    return { kind: 'answer', bytes: buildResponse(msg, q, parts, limit) };
  }
}
