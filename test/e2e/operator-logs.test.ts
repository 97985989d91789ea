import { spawn, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { AdsTestClient, CDS, node } from '../helpers/ads-client.js';
import { CP_MAIN, startCp, stopAll } from '../helpers/cp-process.js';
import { dataplaneToken } from '../helpers/tokens.js';

afterAll(stopAll);

const dataplane = (name: string) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address: '127.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }] },
});

async function put(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Top-level keys of a JSON object line, duplicates included (JSON.parse would hide them). */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      if (depth === 1 && line[j + 1] === ':') keys.push(line.slice(i + 1, j));
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

describe('logs and housekeeping for operators', () => {
  it('logs config pushes and refused writes at info, one JSON object per line without duplicate keys', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_XDS_SERVER_DATAPLANE_STATUS_FLUSH_INTERVAL: '100ms' } });
    expect((await put(`${cp.apiUrl}/meshes/default/dataplanes/web-1`, dataplane('web-1'))).status).toBe(201);
    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    const s = client.sotw(await dataplaneToken(cp, { name: 'web-1' }));
    s.send({ type_url: CDS, node: node({ id: 'default.web-1' }) });
    await s.next(CDS, 30_000);
    expect((await put(`${cp.apiUrl}/meshes/default/dataplanes/web-2`, dataplane('web-2'))).status).toBe(201);
    const pushed = JSON.parse(await cp.waitForLog(/"msg":"configuration pushed"/, 30_000)) as Record<string, unknown>;
    expect(pushed).toMatchObject({ level: 30, component: 'xds-reconciler', mesh: 'default', updated: 1 });
    expect(typeof pushed['ms']).toBe('number');

    const refused = await put(`${cp.apiUrl}/meshes/default/dataplanes/bad`, { ...dataplane('bad'), networking: { address: '127.0.0.1', inbound: [{ port: 0, tags: {} }] } });
    expect(refused.status).toBe(400);
    const line = JSON.parse(await cp.waitForLog(/"msg":"write refused"/)) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, method: 'PUT', url: '/meshes/default/dataplanes/bad', status: 400 });
    expect(String(line['reason'])).toContain('networking.inbound[0].port');

    s.close();
    client.close();

    for (const l of cp.logs().filter((x) => x.startsWith('{'))) {
      const keys = topLevelKeys(l);
      expect(new Set(keys).size, l).toBe(keys.length);
    }
  }, 120_000);

  it('writes one readable text line per event with --log-format=text', async () => {
    const env = { ...process.env, KUMA_STORE_TYPE: 'memory', KUMA_API_SERVER_HTTP_PORT: '0', KUMA_DP_SERVER_PORT: '0', KUMA_BOOTSTRAP_SERVER_PORT: '0', KUMA_DNS_SERVER_PORT: '0', KUMA_DIAGNOSTICS_SERVER_PORT: '0', KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1', KUMA_DP_SERVER_INTERFACE: '127.0.0.1', KUMA_BOOTSTRAP_SERVER_INTERFACE: '127.0.0.1', KUMA_DNS_SERVER_INTERFACE: '127.0.0.1', KUMA_DIAGNOSTICS_INTERFACE: '127.0.0.1', KUMA_MONITORING_ASSIGNMENT_SERVER_PORT: '0', KUMA_MONITORING_ASSIGNMENT_SERVER_INTERFACE: '127.0.0.1' };
    const child = spawn(process.execPath, [CP_MAIN, 'run', '--log-format=text'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready: ${out}`)), 30_000);
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        out += c;
        if (out.includes('kuma-cp is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const lines = out.trim().split('\n');
    expect(lines.some((l) => /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}api-server: listening .*server=api-server .*port=\d+/.test(l))).toBe(true);
    expect(lines.every((l) => !l.startsWith('{'))).toBe(true);
  });

  it('refuses --zone without zone mode in one line', () => {
    const r = spawnSync(process.execPath, [CP_MAIN, 'run', '--zone=zone-1'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('kuma-cp: --zone only applies to a zone control plane (--mode=zone), not to mode standalone\n');
  });
});
