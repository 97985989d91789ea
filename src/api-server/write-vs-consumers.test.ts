import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/helpers/api-test-server.js';

let api: TestApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

const dataplane = (name: string): string =>
  JSON.stringify({ type: 'Dataplane', mesh: 'default', name, networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': name } }] } });

const put = (a: TestApi, name: string): Promise<Response> =>
  fetch(`${a.url}/meshes/default/dataplanes/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: dataplane(name) });

/** Shared between the test's thread and the client's: [0] event counter, [1] the PUT's status, [2] its event number, [3] never set (blocks on it). */
const COUNTER = 0;
const STATUS = 1;
const ANSWERED_AT = 2;
const NEVER = 3;

/**
 * A REST client on its own thread (the test's thread is blocked by the slow consumer): it PUTs `body` to
 * `url` and, the moment the answer has arrived, takes the next event number for it.
 */
const CLIENT = `
const { workerData } = require('node:worker_threads');
const { url, body, shared } = workerData;
fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body }).then(async (res) => {
  await res.text();
  Atomics.store(shared, ${ANSWERED_AT}, Atomics.add(shared, ${COUNTER}, 1) + 1);
  Atomics.store(shared, ${STATUS}, res.status);
});
`;

describe('a REST write and the consumers of the store view', () => {
  it('a PUT answers while a consumer that blocks its thread for 1 s on the change is still blocked', async () => {
    api = await startTestApi();
    const a = api;
    await a.view.start();
    const shared = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
    const event = (): number => Atomics.add(shared, COUNTER, 1) + 1;
    const slow: { got?: number; done?: number; answeredWhileBlocked?: boolean } = {};
    a.view.watch(
      'slow',
      () => {
        slow.got = event();
        // Blocks this thread (and so this process's event loop) for 1 s: nothing here can answer the PUT
        // meanwhile, so an answer that arrives now was sent before this consumer got the change.
        Atomics.wait(shared, NEVER, 0, 1000);
        slow.answeredWhileBlocked = Atomics.load(shared, STATUS) !== 0;
        slow.done = event();
      },
      { types: ['Dataplane'] },
    );
    const client = new Worker(CLIENT, { eval: true, workerData: { url: `${a.url}/meshes/default/dataplanes/dp-1`, body: dataplane('dp-1'), shared } });
    await once(client, 'exit');
    expect(Atomics.load(shared, STATUS)).toBe(201);
    expect(slow.got, 'the slow consumer got the change').toBeDefined();
    // Event order: the PUT's answer reached the client before the slow consumer was done with its change.
    expect(Atomics.load(shared, ANSWERED_AT)).toBeLessThan(slow.done ?? 0);
    expect(slow.answeredWhileBlocked).toBe(true);
  });

  it('a consumer slowed to 1 s holds up neither the next PUT nor the other consumers', async () => {
    api = await startTestApi();
    const a = api;
    await a.view.start();
    const order: string[] = [];
    let slowGotFirst: () => void = () => undefined;
    const slowBusy = new Promise<void>((resolve) => (slowGotFirst = resolve));
    const slow = a.view.watch(
      'slow',
      async (events) => {
        order.push(`slow got ${events.map((e) => e.resource.meta.name).join(',')}`);
        slowGotFirst();
        await sleep(1000);
        order.push('slow done');
      },
      { types: ['Dataplane'] },
    );
    const fast = a.view.watch('fast', (events) => void order.push(...events.map((e) => `fast got ${e.resource.meta.name}`)), { types: ['Dataplane'] });

    expect((await put(a, 'dp-1')).status).toBe(201);
    order.push('PUT dp-1 answered');
    await slowBusy;
    expect((await put(a, 'dp-2')).status).toBe(201);
    order.push('PUT dp-2 answered');
    await fast.idle();
    order.push('fast idle');
    await slow.idle();

    // Both answers come before the slow consumer finished the first change; the fast consumer has dp-2
    // while the slow one is still busy; the slow one then gets dp-2 in its next batch.
    expect(order.indexOf('PUT dp-1 answered')).toBeLessThan(order.indexOf('slow done'));
    expect(order.indexOf('PUT dp-2 answered')).toBeLessThan(order.indexOf('slow done'));
    expect(order.indexOf('fast got dp-2')).toBeLessThan(order.indexOf('slow done'));
    expect(order.indexOf('fast idle')).toBeLessThan(order.indexOf('slow done'));
    expect(order.filter((o) => o.startsWith('slow'))).toEqual(['slow got dp-1', 'slow done', 'slow got dp-2', 'slow done']);
  });
});
