import { describe, expect, it } from 'vitest';
import { ENVOY_HTTP_STATUSES } from '../../core/resources/schemas/rate-limit.js';
import { envoyRoot } from './protos.js';

describe('local rate limit', () => {
  it('accepts exactly the statuses Envoy defines (type.v3.StatusCode), so none it accepts is NACKed', () => {
    const codes = Object.values(envoyRoot().lookupEnum('envoy.type.v3.StatusCode').values).filter((v) => v !== 0);
    expect([...ENVOY_HTTP_STATUSES].sort((a, b) => a - b)).toEqual(codes.sort((a, b) => a - b));
  });
});
