import { describe, expect, it } from 'vitest';
import { validateFaultInjection } from './fault-injection.js';
import { violationsOf } from './violations-of.js';

const sources = [{ match: { 'kuma.io/service': 'frontend', version: '0.1' } }];
const destinations = [{ match: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }];

describe('FaultInjection', () => {
  it('accepts the Kuma docs fault injection', () => {
    const spec = {
      sources,
      destinations,
      conf: { abort: { httpStatus: 500, percentage: 50 }, delay: { percentage: 50.5, value: '5s' }, responseBandwidth: { limit: '50 mbps', percentage: 50 } },
    };
    expect(validateFaultInjection(spec, { name: 'fi', mesh: 'default' })).toEqual(spec);
  });

  it('needs at least one fault', () => {
    expect(violationsOf(validateFaultInjection, { sources, destinations, conf: { delay: {} } })).toEqual([
      { field: 'conf', message: 'must have at least one of the faults configured' },
    ]);
  });

  it('checks percentages, status and bandwidth', () => {
    const spec = { sources, destinations, conf: { abort: { httpStatus: 600, percentage: 101 }, delay: { percentage: 10 }, responseBandwidth: { limit: 'fast' } } };
    expect(violationsOf(validateFaultInjection, spec)).toEqual([
      { field: 'conf.delay.value', message: 'cannot be empty' },
      { field: 'conf.abort.percentage', message: 'has to be in [0.0 - 100.0] range' },
      { field: 'conf.abort.httpStatus', message: 'http status code is incorrect' },
      { field: 'conf.responseBandwidth.percentage', message: 'cannot be empty' },
      { field: 'conf.responseBandwidth.limit', message: 'has to be in kbps/mbps/gbps units' },
    ]);
  });

  it('requires an HTTP protocol on destinations', () => {
    const spec = { sources, destinations: [{ match: { 'kuma.io/service': 'db', 'kuma.io/protocol': 'tcp' } }, { match: { 'kuma.io/service': 'x' } }], conf: { delay: { percentage: 1, value: '1s' } } };
    expect(violationsOf(validateFaultInjection, spec)).toEqual([
      { field: 'destinations[0].match["kuma.io/protocol"]', message: 'must be one of the [http, http2, grpc]' },
      { field: 'destinations[1].match', message: 'protocol must be specified' },
    ]);
  });

  it('refuses what Envoy would NACK: a zero delay, an abort with a 1xx status, a zero bandwidth', () => {
    const spec = { sources, destinations, conf: { delay: { percentage: 1, value: '0s' }, abort: { httpStatus: 150, percentage: 1 }, responseBandwidth: { limit: '0kbps', percentage: 1 } } };
    expect(violationsOf(validateFaultInjection, spec)).toEqual([
      { field: 'conf.delay.value', message: 'has to be greater than 0' },
      { field: 'conf.abort.httpStatus', message: 'has to be in [200 - 599] range' },
      { field: 'conf.responseBandwidth.limit', message: 'has to be greater than 0' },
    ]);
  });
});
