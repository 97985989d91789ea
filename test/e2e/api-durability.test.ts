import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';

afterAll(stopAll);

const WORKERS = 16;
/** Writes answered before the kill -9; the burst keeps going (in flight) when it lands. */
const ACKS_BEFORE_KILL = 300;

function dataplane(name: string, generation: number): object {
  return {
    type: 'Dataplane',
    mesh: 'default',
    name,
    networking: { address: '10.1.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': name, generation: String(generation) } }] },
  };
}

async function put(cp: CpProcess, name: string, generation: number): Promise<number | undefined> {
  try {
    const res = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/${name}`, {
      method: 'PUT',
      body: JSON.stringify(dataplane(name, generation)),
      headers: { 'content-type': 'application/json' },
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined; // the process is gone: this write was never answered
  }
}

describe('REST API durability', () => {
  it('keeps every write answered 2xx after a kill -9 during a burst of concurrent PUTs', async () => {
    const cp = await startCp();
    /** Per resource, the highest generation whose PUT was answered 2xx. */
    const acked = new Map<string, number>();
    let answered = 0;
    let killed: Promise<void> | undefined;
    const worker = async (w: number): Promise<void> => {
      // Each worker creates resources and rewrites each one once (create 201, then update 200).
      for (let i = 0; ; i++) {
        const name = `w${w}-dp${Math.floor(i / 2)}`;
        const generation = i % 2;
        const status = await put(cp, name, generation);
        if (status === undefined) return;
        expect([200, 201]).toContain(status);
        acked.set(name, generation);
        if (++answered === ACKS_BEFORE_KILL) killed = cp.kill9();
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await killed;
    expect(answered).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

    const again = await cp.restart();
    const missing: string[] = [];
    for (const [name, generation] of acked) {
      const res = await fetch(`${again.apiUrl}/meshes/default/dataplanes/${name}`);
      if (res.status !== 200) {
        missing.push(`${name}: ${res.status}`);
        continue;
      }
      const body = (await res.json()) as { networking: { inbound: { tags: Record<string, string> }[] } };
      const stored = Number(body.networking.inbound[0]?.tags['generation']);
      // A write that committed but whose answer was lost to the kill may be newer than the acked one.
      if (stored < generation) missing.push(`${name}: generation ${stored} < acked ${generation}`);
    }
    expect(missing).toEqual([]);
  });

  it('finishes a write in flight on SIGTERM, answers it, stores it and exits 0', async () => {
    const cp = await startCp();
    const body = JSON.stringify(dataplane('in-flight', 1));
    const req = request(`${cp.apiUrl}/meshes/default/dataplanes/in-flight`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
    });
    const answered = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      });
      req.on('error', reject);
    });
    // "100 Continue" proves the server has parsed the request: it is in flight from here on.
    await new Promise<void>((resolve) => req.once('continue', resolve));
    const exited = cp.stop();
    await cp.waitForLog(/"msg":"stopping"/);
    req.end(body);
    // Answered, and told to hang up: a kept-alive connection must not hold the shutdown up.
    expect(await answered).toEqual({ status: 201, connection: 'close' });
    expect(await exited).toBe(0);

    const again = await cp.restart();
    expect((await fetch(`${again.apiUrl}/meshes/default/dataplanes/in-flight`)).status).toBe(200);
  });
});
