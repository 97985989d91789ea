import { spawnSync } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CP_MAIN, startCp, stopAll, type CpProcess } from '../../helpers/cp-process.js';

/**
 * Attacks on the store (issue 10, points 7-8). Defences guarded (each case fails with its defence disabled;
 * table in docs/security-attacks.md): the exclusive SQLite lock (plugins/store/sqlite/open-database.ts), the
 * inode check that makes the CP unready (plugins/store/sqlite/file-guard.ts), the uint32 sum of split weights
 * (core/resources/schemas/traffic-route.ts). The integrity check at start is guarded by sqlite-store.test.ts.
 */
afterAll(stopAll);

const LOOPBACK_ZERO_PORTS = {
  KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
  KUMA_DP_SERVER_INTERFACE: '127.0.0.1',
  KUMA_BOOTSTRAP_SERVER_INTERFACE: '127.0.0.1',
  KUMA_DNS_SERVER_INTERFACE: '127.0.0.1',
  KUMA_DIAGNOSTICS_INTERFACE: '127.0.0.1',
  KUMA_API_SERVER_HTTP_PORT: '0',
  KUMA_DP_SERVER_PORT: '0',
  KUMA_BOOTSTRAP_SERVER_PORT: '0',
  KUMA_DNS_SERVER_PORT: '0',
  KUMA_DIAGNOSTICS_SERVER_PORT: '0',
  KUMA_MONITORING_ASSIGNMENT_SERVER_PORT: '0',
  KUMA_MONITORING_ASSIGNMENT_SERVER_INTERFACE: '127.0.0.1',
};

function mesh(name: string): RequestInit {
  return { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'Mesh', name }) };
}

async function ready(cp: CpProcess): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${cp.ports.diagnostics}/ready`);
  return { status: res.status, text: await res.text() };
}

describe('attack: the SQLite store is shared, deleted or replaced under a running CP', () => {
  it('a second kuma-cp on the same database file is refused at start with one clear line', async () => {
    const first = await startCp();
    const second = spawnSync(process.execPath, [CP_MAIN, 'run'], {
      env: { ...process.env, ...LOOPBACK_ZERO_PORTS, KUMA_STORE_SQLITE_PATH: first.dbPath },
      encoding: 'utf8',
      timeout: 20_000,
      // A second CP that is not refused would start serving; SIGTERM would wait on its graceful stop (spawnSync blocks the test).
      killSignal: 'SIGKILL',
    });
    expect(second.status).toBe(1);
    expect(second.stderr.trim()).toBe(`kuma-cp: the SQLite store "${first.dbPath}" is locked by another process (another kuma-cp using the same file?)`);
    // The legitimate CP kept its file and keeps answering writes.
    expect((await fetch(`${first.apiUrl}/meshes/after-refusal`, mesh('after-refusal'))).status).toBe(201);
    expect((await ready(first)).status).toBe(200);
  });

  it('a deleted database file makes the CP unready and refuses writes instead of answering 201 and losing them', async () => {
    const cp = await startCp();
    expect((await fetch(`${cp.apiUrl}/meshes/before`, mesh('before'))).status).toBe(201);
    rmSync(cp.dbPath);
    rmSync(`${cp.dbPath}-wal`, { force: true });
    const res = await fetch(`${cp.apiUrl}/meshes/lost`, mesh('lost'));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ details: `the store is unavailable: the database file "${cp.dbPath}" was deleted while in use` });
    expect(await ready(cp)).toEqual({ status: 503, text: `store unavailable: the database file "${cp.dbPath}" was deleted while in use\n` });
    await cp.waitForLog(/"msg":"store unavailable: refusing writes until restarted on a sound database file"/);
  });

  it('a database file replaced by another makes the CP unready and refuses writes', async () => {
    const cp = await startCp();
    writeFileSync(`${cp.dbPath}.evil`, '');
    renameSync(`${cp.dbPath}.evil`, cp.dbPath);
    const res = await fetch(`${cp.apiUrl}/meshes/lost`, mesh('lost'));
    expect(res.status).toBe(503);
    expect((await ready(cp)).text).toMatch(/was replaced by another file while in use/);
  });
});

describe('attack: uint32 overflow through split weights', () => {
  it('two split weights of 4294967295 are refused with the field and why; nothing is written', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    const route = (weights: number[]) => ({
      type: 'TrafficRoute',
      mesh: 'default',
      name: 'overflow',
      sources: [{ match: { 'kuma.io/service': '*' } }],
      destinations: [{ match: { 'kuma.io/service': 'backend' } }],
      conf: { split: weights.map((weight, i) => ({ weight, destination: { 'kuma.io/service': 'backend', version: `v${i}` } })) },
    });
    const put = (weights: number[]) =>
      fetch(`${cp.apiUrl}/meshes/default/traffic-routes/overflow`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(route(weights)) });
    const res = await put([4294967295, 4294967295]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ causes: [{ field: 'conf.split', message: 'the sum of the weights must be at most 4294967295' }] });
    expect((await fetch(`${cp.apiUrl}/meshes/default/traffic-routes/overflow`)).status).toBe(404);
    expect((await put([4294967294, 1])).status).toBe(201);
  });
});
