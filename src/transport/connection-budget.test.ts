import { describe, expect, it } from 'vitest';
import { logger } from '../core/logging.js';
import { BASE_RESERVED_FDS, budgetSize, ConnectionBudget } from './connection-budget.js';

const log = logger('connection-budget-test');

describe('budgetSize', () => {
  it('leaves the base reserve, a tenth of the limit and the Postgres pool out of RLIMIT_NOFILE', () => {
    expect(budgetSize(20_000, 0)).toEqual({ connections: 20_000 - BASE_RESERVED_FDS - 2000, openFileLimit: 20_000, reserved: BASE_RESERVED_FDS + 2000 });
    expect(budgetSize(1024, 51).connections).toBe(1024 - BASE_RESERVED_FDS - 51 - 103);
    expect(budgetSize(512, 0).connections).toBe(512 - BASE_RESERVED_FDS - 52);
    expect(budgetSize(100, 0).connections).toBe(16);
    expect(budgetSize(undefined, 0).connections).toBe(Infinity);
  });
});

describe('ConnectionBudget', () => {
  const size = (connections: number) => ({ connections, openFileLimit: undefined, reserved: 0 });

  it('never admits more than the budget over all ports, and gives back what closes', () => {
    const b = new ConnectionBudget(size(10), log);
    const ports = [b.join('a'), b.join('b')];
    let admitted = 0;
    for (let i = 0; i < 40; i++) if (b.take(ports[i % 2] ?? ports[0]!)) admitted++;
    expect(admitted).toBe(10);
    expect(b.open).toBe(10);
    b.release(ports[0]!);
    expect(b.take(ports[0]!)).toBe(true);
    expect(b.take(ports[1]!)).toBe(false);
  });

  it('a flood on one port leaves every other port its reserve', () => {
    const b = new ConnectionBudget(size(100), log);
    const [api, ads, dns, kds] = [b.join('api'), b.join('ads'), b.join('dns'), b.join('kds')];
    let flood = 0;
    while (b.take(api)) flood++;
    // Half the budget is shared, the other half is split into four reserves of 12 (100 / 8).
    expect(flood).toBe(100 - 3 * 12);
    for (const port of [ads, dns, kds]) {
      for (let i = 0; i < 12; i++) expect(b.take(port)).toBe(true);
      expect(b.take(port)).toBe(false);
    }
    expect(b.open).toBe(100);
    // A port that closes gives its reserve back to the shared part.
    b.leave(kds);
    expect(b.take(api)).toBe(false);
    for (let i = 0; i < 12; i++) b.release(kds);
    expect(b.take(api)).toBe(true);
  });

  it('two flooded ports cannot starve a third', () => {
    const b = new ConnectionBudget(size(60), log);
    const [x, y, z] = [b.join('x'), b.join('y'), b.join('z')];
    for (let i = 0; i < 100; i++) {
      b.take(x);
      b.take(y);
    }
    // reserve = 60 / 6 = 10 per port: z keeps its 10.
    for (let i = 0; i < 10; i++) expect(b.take(z)).toBe(true);
    expect(b.open).toBe(60);
  });

  it('an unknown open-file limit admits everything (the per-port caps still bound)', () => {
    const b = new ConnectionBudget(size(Infinity), log);
    const p = b.join('p');
    for (let i = 0; i < 1000; i++) expect(b.take(p)).toBe(true);
  });
});
