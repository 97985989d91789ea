import type { OutboundProtocol } from './policy-conf.js';

/**
 * Kuma's protocol stack: grpc is a kind of http2, http2 a kind of http, http a kind of tcp. Endpoints of
 * one service that disagree are served with the most general protocol they share (kafka and unknown
 * values, and a missing tag, count as tcp).
 */
const STACK: readonly OutboundProtocol[] = ['grpc', 'http2', 'http', 'tcp'];

export function toProtocol(tag: string | undefined): OutboundProtocol {
  return STACK.find((p) => p === tag) ?? 'tcp';
}

export function commonProtocol(protocols: Iterable<OutboundProtocol>): OutboundProtocol {
  let index = -1;
  for (const p of protocols) index = Math.max(index, STACK.indexOf(p));
  return STACK[index] ?? 'tcp';
}

export function isHttp(p: OutboundProtocol): boolean {
  return p !== 'tcp';
}

export function isHttp2(p: OutboundProtocol): boolean {
  return p === 'http2' || p === 'grpc';
}
