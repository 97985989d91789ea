import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { parseGlobalAddress } from './global-address.js';

describe('parseGlobalAddress', () => {
  it('accepts grpc://HOST:PORT (plaintext) and grpcs://HOST:PORT (TLS)', () => {
    expect(parseGlobalAddress('grpc://global.example:5685')).toEqual({ target: 'global.example:5685', tls: false });
    expect(parseGlobalAddress('grpc://127.0.0.1:5685/')).toEqual({ target: '127.0.0.1:5685', tls: false });
    expect(parseGlobalAddress('grpcs://[::1]:5685')).toEqual({ target: '[::1]:5685', tls: true });
  });

  it.each([
    ['http://g:5685', /unsupported scheme "http"/],
    ['g:5685', /expected grpc:\/\/HOST:PORT/],
    ['grpcs://g', /expected grpc:\/\/HOST:PORT/],
  ])('rejects %s', (address, message) => {
    expect(() => parseGlobalAddress(address)).toThrow(ConfigError);
    expect(() => parseGlobalAddress(address)).toThrow(message);
  });
});
