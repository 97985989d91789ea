import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { kumactl, kumactlHome } from '../helpers/kumactl-process.js';

afterAll(stopAll);

const MANIFEST = `type: Dataplane
mesh: default
name: {{ name }}
networking:
  address: 127.0.0.{{ n }}
  inbound:
    - port: 8080
      tags: {kuma.io/service: backend, kuma.io/protocol: http, version: v{{ n }}}
---
type: TrafficRoute
mesh: default
name: backend-split
sources: [{match: {kuma.io/service: '*'}}]
destinations: [{match: {kuma.io/service: backend}}]
conf:
  split:
    - {weight: 90, destination: {kuma.io/service: backend, version: v1}}
    - {weight: 10, destination: {kuma.io/service: backend, version: v2}}
`;

/** The built kumactl, run as its own process against the built daemon. */
describe('kumactl against the built kuma-cp', () => {
  let cp: CpProcess;
  let home: string;
  let file: string;

  beforeAll(async () => {
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    home = await kumactlHome(cp.apiUrl);
    file = join(mkdtempSync(join(tmpdir(), 'kumactl-')), 'resources.yaml');
    writeFileSync(file, MANIFEST);
  });

  it('keeps control planes in ~/.kumactl/config and switches between them', async () => {
    const config = readFileSync(join(home, '.kumactl', 'config'), 'utf8');
    expect(config).toContain(`url: ${cp.apiUrl}`);
    expect(config).toContain('currentContext: test');
    const list = await kumactl(home, ['config', 'control-planes', 'list']);
    expect(list.stdout.split('\n')).toEqual(['ACTIVE   NAME    ADDRESS', '         local   http://localhost:5681', `*        test    ${cp.apiUrl}`, '']);
    const again = await kumactl(home, ['config', 'control-planes', 'add', '--name', 'test', '--address', cp.apiUrl]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already exists. Use --overwrite/);
    const unknown = await kumactl(home, ['config', 'control-planes', 'use', '--name', 'nope']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe('Error: there is no Control Plane with name "nope"');
  });

  it('prints the client and server versions', async () => {
    const r = await kumactl(home, ['version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Client: kumactl \d+\.\d+\.\d+\nServer: kuma-cp \d+\.\d+\.\d+\n$/);
  });

  it('applies several documents with --var, then gets them as tables, YAML and JSON', async () => {
    for (const n of ['1', '2']) {
      const r = await kumactl(home, ['apply', '-f', file, '--var', `name=backend-${n}`, '--var', `n=${n}`]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`Dataplane "backend-${n}" in mesh "default" created`);
    }
    const table = await kumactl(home, ['get', 'dataplanes']);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^MESH {6}NAME {8}TAGS {2,}AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s{3,}/).slice(0, 2))).toEqual([
      ['default', 'backend-1'],
      ['default', 'backend-2'],
    ]);
    // Aligned: every row's TAGS column starts where the header's does.
    const col = lines[0]?.indexOf('TAGS');
    for (const l of lines.slice(1)) expect(l.indexOf('kuma.io/protocol=http')).toBe(col);
    const json = await kumactl(home, ['get', 'traffic-route', 'backend-split', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'TrafficRoute', name: 'backend-split', conf: { split: [{ weight: 90 }, { weight: 10 }] } });
    const yaml = await kumactl(home, ['get', 'meshes', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/total: 1\nitems:\n {2}- type: Mesh\n {4}name: default/);
  });

  it('refuses an invalid resource in one line with the API causes (exit 1) and writes nothing', async () => {
    const bad = 'type: Dataplane\nmesh: default\nname: bad\nnetworking: {address: 10.0.0.1, inbound: [{port: 0, tags: {}}]}\n';
    const r = await kumactl(home, ['apply', '-f', '-'], bad);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('Error: Could not process a resource: Resource is not valid (networking.inbound[0].port: ');
    expect(r.stderr).toContain('networking.inbound[0].tags["kuma.io/service"]');
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/bad`)).status).toBe(404);
  });

  it('refuses bad input before sending anything (exit 2)', async () => {
    const yamlError = await kumactl(home, ['apply', '-f', '-'], 'type: Mesh\nname: [oops\n');
    expect(yamlError.status).toBe(2);
    expect(yamlError.stderr).toMatch(/^Error: stdin is not valid YAML at line \d+, column \d+: .+\n$/);
    const missingVar = await kumactl(home, ['apply', '-f', file]);
    expect(missingVar.status).toBe(2);
    expect(missingVar.stderr).toContain('uses {{ name }} but no --var name=VALUE was given');
    const unknownType = await kumactl(home, ['get', 'trafic-routes']);
    expect(unknownType.status).toBe(2);
    expect(unknownType.stderr).toMatch(/unknown resource type "trafic-routes"/);
  });

  it('deletes, and says when there is nothing to delete (exit 1)', async () => {
    await kumactl(home, ['apply', '-f', file, '--var', 'name=gone', '--var', 'n=9']);
    expect((await kumactl(home, ['delete', 'dataplane', 'gone'])).stdout).toBe('deleted Dataplane "gone"\n');
    const again = await kumactl(home, ['delete', 'dataplane', 'gone']);
    expect(again.status).toBe(1);
    expect(again.stderr.trim()).toBe('Error: there is no Dataplane with name "gone" in mesh "default"');
  });

  it('inspects data planes, meshes and services with status columns', async () => {
    const dps = await kumactl(home, ['inspect', 'dataplanes']);
    expect(dps.stdout.split('\n')[0]).toMatch(/^MESH +NAME +TAGS +STATUS +LAST CONNECTED AGO +LAST UPDATED AGO +TOTAL UPDATES +TOTAL ERRORS/);
    expect(dps.stdout).toMatch(/backend-1 .* Offline +never +never +0 +0/);
    const meshes = await kumactl(home, ['inspect', 'meshes']);
    expect(meshes.stdout).toMatch(/^NAME +MTLS +METRICS +LOGGING +TRACING +LOCALITY +SERVICES +DPS ONLINE\/TOTAL +POLICIES\ndefault +off +off +off +off +off +1 +0\/2 +5\n$/);
    const services = await kumactl(home, ['inspect', 'services']);
    expect(services.stdout).toMatch(/^SERVICE +TYPE +STATUS +DPS ONLINE\/TOTAL +ZONES\nbackend +internal +offline +0\/2 +-\n$/);
    const filtered = await kumactl(home, ['inspect', 'dataplanes', '--tag', 'version=v2']);
    expect(filtered.stdout).toContain('backend-2');
    expect(filtered.stdout).not.toContain('backend-1');
  });

  it('says when the control plane cannot be reached (exit 3)', async () => {
    const other = mkdtempSync(join(tmpdir(), 'kumactl-home-'));
    const r = await kumactl(other, ['get', 'meshes']);
    expect(r.status).toBe(3);
    expect(r.stderr.trim()).toMatch(/^Error: cannot reach the control plane at http:\/\/localhost:5681: ECONNREFUSED$/);
  });
});
