import { afterAll, describe, expect, it } from 'vitest';
import { AdsTestClient, CDS, EDS, node, resourceNames } from '../../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../../helpers/cp-process.js';
import { dataplaneToken } from '../../helpers/tokens.js';

/**
 * Attack: ADS streams naming 200 endpoint clusters of 1 MB each, three rounds; the issue saw the empty-assignment
 * memo keep every name after the stream ended (about 400 MB per round) and a 256 MB heap crash.
 * Defences guarded: the per-stream name budget (xds/server/name-budget.ts: 4,096 bytes per name, 4 MiB per
 * stream, INVALID_ARGUMENT beyond); the memo's own byte bound (xds/server/empty-cla.ts) is guarded by
 * empty-cla.test.ts. Table in docs/security-attacks.md.
 */
afterAll(stopAll);

const ROUNDS = 3;
const NAMES_PER_ROUND = 200;
const NAME_BYTES = 1024 * 1024;

const backend = {
  type: 'Dataplane',
  mesh: 'default',
  name: 'backend-1',
  networking: { address: '127.0.0.1', inbound: [{ port: 9000, servicePort: 9001, tags: { 'kuma.io/service': 'backend' } }] },
};

async function heapUsed(cp: CpProcess): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${cp.ports.diagnostics}/metrics`)).text();
  const m = /^nodejs_heap_size_used_bytes (\d+(\.\d+)?(e\+\d+)?)$/m.exec(text);
  if (!m) throw new Error('nodejs_heap_size_used_bytes missing from /metrics');
  return Number(m[1]);
}

/** The lowest heap figure seen over `samples` scrapes: garbage not yet collected is not retained memory. */
async function settledHeap(cp: CpProcess, samples: number): Promise<number> {
  let low = Infinity;
  for (let i = 0; i < samples; i++) {
    low = Math.min(low, await heapUsed(cp));
    await new Promise((r) => setTimeout(r, 250));
  }
  return low;
}

/** One round: one stream sends EDS requests naming 200 distinct 1 MB clusters (one per request) without waiting for answers. */
async function attackRound(address: string, round: number, token: string): Promise<{ code: number; details: string; answered: number }> {
  const client = new AdsTestClient(address);
  // With a valid data-plane token: the bound must hold for an authenticated proxy too.
  const stream = client.sotw(token);
  for (let i = 0; i < NAMES_PER_ROUND; i++) {
    const name = `${round}-${i}-`.padEnd(NAME_BYTES, 'x');
    stream.send(i === 0 ? { type_url: EDS, node: node({ id: 'default.backend-1' }), resource_names: [name] } : { type_url: EDS, resource_names: [name] });
  }
  // The old CP answered every request (and kept every name); the stream then stays open until cancelled.
  const timer = setTimeout(() => stream.cancel(), 30_000);
  const st = await stream.status();
  clearTimeout(timer);
  client.close();
  return { code: st.code, details: st.details, answered: stream.received.length };
}

describe('attack: ADS streams requesting 200 x 1 MB endpoint names', () => {
  it('three rounds leave the heap within 20% of its baseline and the legitimate proxy served', async () => {
    // The heap the issue saw crash with the old memo (about 400 MB retained per round).
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', NODE_OPTIONS: '--max-old-space-size=256' }, startTimeoutMs: 60_000 });
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/backend-1`, { method: 'PUT', body: JSON.stringify(backend) })).status).toBe(201);
    const address = `127.0.0.1:${cp.ports.dpServer}`;
    const token = await dataplaneToken(cp, { name: 'backend-1' });
    const legit = new AdsTestClient(address);
    const proxy = legit.sotw(token);
    proxy.send({ type_url: CDS, node: node({ id: 'default.backend-1' }) });
    await proxy.next(CDS);
    const baseline = await settledHeap(cp, 8);

    for (let round = 0; round < ROUNDS; round++) {
      const outcome = await attackRound(address, round, token);
      expect(outcome).toMatchObject({ code: 3, answered: 0 }); // INVALID_ARGUMENT, nothing served
      expect(outcome.details).toMatch(/^resource name of 1048576 bytes is longer than 4096: "\d-0-x+…\(1048576 chars\)"$/);
    }

    // Retained memory is what stays after garbage collection: poll the low-water mark for a while.
    let after = Infinity;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && after > baseline * 1.2) after = Math.min(after, await settledHeap(cp, 4));
    expect(after, `heap ${after} vs baseline ${baseline}`).toBeLessThanOrEqual(baseline * 1.2);

    // The legitimate proxy's stream was never disturbed and still gets updates.
    const other = { ...backend, name: 'backend-2', networking: { ...backend.networking, address: '127.0.0.2' } };
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/backend-2`, { method: 'PUT', body: JSON.stringify(other) })).status).toBe(201);
    proxy.send({ type_url: EDS, resource_names: ['backend'] });
    const eds = await proxy.next(EDS, 10_000);
    expect(resourceNames(eds)).toEqual(['backend']);
    proxy.cancel();
    legit.close();
  }, 240_000);
});
