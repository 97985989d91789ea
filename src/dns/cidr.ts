/** IPv4 CIDR arithmetic for the VIP allocator. Addresses are unsigned 32-bit integers. */
export interface Cidr {
  /** First address of the block (the network address; Kuma hands it out too). */
  readonly first: number;
  /** Number of addresses in the block. */
  readonly size: number;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const octet = Number(p);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

export function intToIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Throws with a readable reason; the config schema already checks the shape. */
export function parseCidr(cidr: string): Cidr {
  const [addr, bitsText, extra] = cidr.split('/');
  const base = addr === undefined ? undefined : ipToInt(addr);
  const bits = Number(bitsText);
  if (base === undefined || extra !== undefined || !/^\d{1,2}$/.test(bitsText ?? '') || bits > 32) {
    throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  }
  const size = 2 ** (32 - bits);
  return { first: base - (base % size), size };
}

export function cidrContains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.first && ip < cidr.first + cidr.size;
}

/** VirtualIP resource name for an address: dots -> dashes (`240.0.0.1` -> `240-0-0-1`). */
export function vipResourceName(ip: string): string {
  return ip.replaceAll('.', '-');
}
