import { describe, expect, it } from 'vitest';
import { cidrContains, intToIp, ipToInt, parseCidr, vipResourceName } from './cidr.js';

describe('cidr', () => {
  it('round-trips addresses', () => {
    for (const ip of ['0.0.0.0', '240.0.0.1', '255.255.255.255', '10.1.2.3']) expect(intToIp(ipToInt(ip)!)).toBe(ip);
    expect(ipToInt('256.0.0.1')).toBeUndefined();
    expect(ipToInt('1.2.3')).toBeUndefined();
    expect(ipToInt('1.2.3.x')).toBeUndefined();
  });

  it('parses the default Kuma block and aligns a host address to its network', () => {
    expect(parseCidr('240.0.0.0/4')).toEqual({ first: ipToInt('240.0.0.0'), size: 2 ** 28 });
    expect(parseCidr('10.0.0.77/30')).toEqual({ first: ipToInt('10.0.0.76'), size: 4 });
    expect(parseCidr('10.0.0.1/32')).toEqual({ first: ipToInt('10.0.0.1'), size: 1 });
    expect(() => parseCidr('10.0.0.0/33')).toThrow(/invalid IPv4 CIDR/);
    expect(() => parseCidr('10.0.0.0')).toThrow(/invalid IPv4 CIDR/);
  });

  it('checks membership at the edges', () => {
    const c = parseCidr('240.0.0.0/4');
    expect(cidrContains(c, ipToInt('240.0.0.0')!)).toBe(true);
    expect(cidrContains(c, ipToInt('255.255.255.255')!)).toBe(true);
    expect(cidrContains(c, ipToInt('239.255.255.255')!)).toBe(false);
  });

  it('names VirtualIP resources after the address', () => {
    expect(vipResourceName('240.0.0.1')).toBe('240-0-0-1');
  });
});
