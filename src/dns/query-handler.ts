import type { Logger } from '../core/logging.js';
import { resultOf, type DnsResult } from './dns-metrics.js';
import { buildResponse, responseLimit } from './dns-response.js';
import type { DnsResponder, Reply } from './dns-responder.js';
import { RCODE } from './dns-wire.js';
import type { UpstreamForwarder } from './upstream-forwarder.js';

export type Transport = 'udp' | 'tcp';
export type SendReply = (bytes: Buffer) => void;
/** Counts one query's outcome (`dns_server_resolution`). */
export type CountResolution = (result: DnsResult, transport: Transport) => void;

/**
 * One incoming message -> at most one reply through `send`. Local answers are sent synchronously;
 * forwarded ones when the upstream answers (SERVFAIL if none does), truncated (TC) over UDP when the
 * upstream's answer is larger than the client accepts. Never throws. `count` is the control plane's `dns_server_resolution` counter (a
 * worker thread passes its own, which reports to the main thread's).
 */
export function createQueryHandler(responder: DnsResponder, forwarder: UpstreamForwarder | undefined, log: Logger, count: CountResolution) {
  return (msg: Buffer, transport: Transport, send: SendReply): void => {
    let reply: Reply;
    try {
      reply = responder.respond(msg, transport);
    } catch (err) {
      log.debug({ err, transport }, 'query failed');
      return;
    }
    if (reply.kind === 'answer') {
      send(reply.bytes);
      count(resultOf(reply.bytes), transport);
      return;
    }
    if (reply.kind === 'drop') {
      log.debug({ transport, bytes: msg.length }, 'dropped malformed message');
      count('malformed', transport);
      return;
    }
    const query = reply.query;
    if (!forwarder) return;
    count('forwarded', transport);
    const limit = responseLimit(query, transport);
    forwarder.forward(msg, query, transport).then(
      (response) => {
        if (!response) {
          log.debug({ name: query.qname, transport }, 'no upstream answered');
          send(buildResponse(msg, query, { rcode: RCODE.SERVFAIL, aa: false, ra: true }, limit));
        } else if (response.length > limit) {
          send(buildResponse(msg, query, { rcode: response[3]! & 0x0f, aa: false, ra: true }, 0));
        } else {
          send(response);
        }
      },
      (err: unknown) => log.debug({ err, name: query.qname }, 'forwarding failed'),
    );
  };
}

export type QueryHandler = ReturnType<typeof createQueryHandler>;

/** A bound UDP or TCP listener. */
export interface Listener {
  readonly port: number;
  /** Stops accepting, closes open connections. */
  close(): Promise<void>;
}
