import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/helpers/api-test-server.js';

let api: TestApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

const put = (a: TestApi, name: string): Promise<Response> =>
  fetch(`${a.url}/meshes/default/dataplanes/${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'Dataplane', mesh: 'default', name, networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': name } }] } }),
  });

describe('a REST write and the consumers of the store view', () => {
  it('a PUT answers while a consumer slowed to 1 s is still busy with the previous change, and other consumers are not held up', async () => {
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
