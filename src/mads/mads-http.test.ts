import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { logger } from '../core/logging.js';
import type { AssignmentSnapshot } from './assignment-state.js';
import { madsHttpHandler } from './mads-http.js';

/** A state whose version the test changes by hand. */
function fakeState(version: string) {
  const listeners = new Set<(s: AssignmentSnapshot) => void>();
  const snap = (v: string): AssignmentSnapshot => ({ version: v, assignments: [], encoded: [], json: () => '[]' });
  const state = {
    current: snap(version),
    subscribe(l: (s: AssignmentSnapshot) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    change(v: string) {
      state.current = snap(v);
      for (const l of [...listeners]) l(state.current);
    },
    listeners,
  };
  return state;
}

/** Polls (a loaded machine delays the server's turn); the caller still asserts. */
async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
}

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

async function serve(state: ReturnType<typeof fakeState>, maxWaiting = 2): Promise<string> {
  server = createServer(madsHttpHandler({ state, log: logger('test'), defaultFetchTimeoutMs: 30_000, maxWaiting }));
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

const post = (url: string, body: string, query = 'fetch-timeout=30s', signal?: AbortSignal) =>
  fetch(`${url}/v3/discovery:monitoringassignments?${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, ...(signal ? { signal } : {}) });

describe('MADS REST fetch', () => {
  it('answers a stale client at once and holds a current one until the version changes', async () => {
    const state = fakeState('v1');
    const url = await serve(state);
    const now = await post(url, JSON.stringify({ version_info: 'v0' }));
    expect(now.status).toBe(200);
    expect(await now.json()).toMatchObject({ version_info: 'v1', resources: [], type_url: 'type.googleapis.com/kuma.observability.v1.MonitoringAssignment' });
    const held = post(url, JSON.stringify({ version_info: 'v1' }));
    await waitFor(() => state.listeners.size === 1);
    expect(state.listeners.size).toBe(1);
    state.change('v2');
    const res = await held;
    expect(((await res.json()) as { version_info: string }).version_info).toBe('v2');
    expect(state.listeners.size).toBe(0);
    expect((await post(url, JSON.stringify({ version_info: 'v2' }), 'fetch-timeout=50ms')).status).toBe(304);
  });

  it('holds at most maxWaiting fetches (the rest get 304 at once) and forgets a client that hangs up', async () => {
    const state = fakeState('v1');
    const url = await serve(state, 2);
    const aborts = [new AbortController(), new AbortController()];
    const held = aborts.map((a) => post(url, '{"version_info":"v1"}', 'fetch-timeout=60s', a.signal).catch(() => undefined));
    await waitFor(() => state.listeners.size === 2);
    expect(state.listeners.size).toBe(2);
    expect((await post(url, '{"version_info":"v1"}', 'fetch-timeout=60s')).status).toBe(304);
    expect(state.listeners.size).toBe(2);
    for (const a of aborts) a.abort();
    await Promise.all(held);
    await waitFor(() => state.listeners.size === 0);
    expect(state.listeners.size).toBe(0);
  });

  it('refuses oversized bodies, bad JSON, another type, a bad fetch-timeout, other methods and paths', async () => {
    const url = await serve(fakeState('v1'));
    expect((await post(url, JSON.stringify({ version_info: 'x'.repeat(100 * 1024) }))).status).toBe(413);
    expect((await post(url, '{nope')).status).toBe(400);
    expect((await post(url, '[]')).status).toBe(400);
    expect((await post(url, JSON.stringify({ type_url: 'type.googleapis.com/envoy.config.cluster.v3.Cluster' }))).status).toBe(400);
    expect((await post(url, '{}', 'fetch-timeout=soon')).status).toBe(400);
    expect((await fetch(`${url}/v3/discovery:monitoringassignments`)).status).toBe(405);
    expect((await fetch(`${url}/v3/discovery:clusters`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
