import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { toGrpcStatus } from '../../grpc/status-mapping.js';
import { checkZoneName } from '../../kds/global/zone-admission.js';

const configAccepts = (zone: string): boolean => {
  try {
    loadConfig({ env: {}, overrides: { mode: 'remote', zone, globalAddress: 'grpc://127.0.0.1:5685' } });
    return true;
  } catch {
    return false;
  }
};

const kdsAdmits = (zone: string): boolean => {
  try {
    checkZoneName(zone);
    return true;
  } catch (err) {
    expect(toGrpcStatus(err).code).toBe(status.INVALID_ARGUMENT);
    return false;
  }
};

describe('zone names: one rule for the config and KDS admission', () => {
  it.each(['zone-1', 'z', 'a1', 'x'.repeat(63)])('both accept %s', (zone) => {
    expect([configAccepts(zone), kdsAdmits(zone)]).toEqual([true, true]);
  });

  it.each(['zone_1', 'Zone-1', 'zone.1', '-zone', 'zone-', 'x'.repeat(64), 'zöne'])('both refuse %s', (zone) => {
    expect([configAccepts(zone), kdsAdmits(zone)]).toEqual([false, false]);
  });
});
