import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { parseGlobalAddress } from './global-address.js';

describe('parseGlobalAddress', () => {
  it('accepts grpc://HOST:PORT', () => {
    expect(parseGlobalAddress('grpc://global.example:5685')).toBe('global.example:5685');
    expect(parseGlobalAddress('grpc://127.0.0.1:5685/')).toBe('127.0.0.1:5685');
    expect(parseGlobalAddress('grpc://[::1]:5685')).toBe('[::1]:5685');
  });

  it.each([
    ['grpcs://g:5685', /grpcs:\/\/ \(TLS\) is not supported yet/],
    ['http://g:5685', /unsupported scheme "http"/],
    ['g:5685', /expected grpc:\/\/HOST:PORT/],
    ['grpc://g', /expected grpc:\/\/HOST:PORT/],
  ])('rejects %s', (address, message) => {
    expect(() => parseGlobalAddress(address)).toThrow(ConfigError);
    expect(() => parseGlobalAddress(address)).toThrow(message);
  });
});
