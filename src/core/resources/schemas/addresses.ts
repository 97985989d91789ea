import { isIP, isIPv4 } from 'node:net';

export function isIpAddress(s: string): boolean {
  return isIP(s) !== 0;
}

export function isIpv4Address(s: string): boolean {
  return isIPv4(s);
}

const LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** An RFC 1123 host name (underscores tolerated, as in service names); a trailing dot is allowed. */
export function isDnsName(s: string): boolean {
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  if (name === '' || name.length > 253) return false;
  return name.split('.').every((label) => LABEL.test(label));
}

export function isIpOrDnsName(s: string): boolean {
  return isIpAddress(s) || isDnsName(s);
}

/** Splits `host:port` or `[ipv6]:port` like Go's net.SplitHostPort; undefined when malformed. */
export function splitHostPort(address: string): { host: string; port: string } | undefined {
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    if (end < 0 || address[end + 1] !== ':') return undefined;
    return { host: address.slice(1, end), port: address.slice(end + 2) };
  }
  const colon = address.lastIndexOf(':');
  if (colon < 0 || address.indexOf(':') !== colon) return undefined;
  return { host: address.slice(0, colon), port: address.slice(colon + 1) };
}

/** A decimal port string in [1, 65535]; undefined otherwise. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}
