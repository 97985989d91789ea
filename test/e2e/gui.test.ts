import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCp, stopAll } from '../helpers/cp-process.js';
import { zoneAuthEnv } from '../helpers/tokens.js';

/** Screenshots land here (gitignored): CI keeps them as artifacts. */
/** The DOM the page functions below read, declared here: the test project is compiled without the DOM library. */
interface DomElement {
  getAttribute(name: string): string | null;
}
interface DomTableRow {
  readonly cells: ArrayLike<{ readonly textContent: string | null }>;
}

const ARTIFACTS = resolve(import.meta.dirname, '../../', import.meta.dirname.includes('/dist/') ? '../test-artifacts/gui' : 'test-artifacts/gui');

afterAll(stopAll);

const dataplane = (name: string, service: string, ip: string, calls: string[] = []) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: {
    address: ip,
    inbound: [{ port: 8080, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }],
    outbound: calls.map((s, i) => ({ port: 10001 + i, tags: { 'kuma.io/service': s } })),
  },
});

async function put(api: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${api}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.text()).toBeLessThan(300);
}

/** A page that records every console error and uncaught exception. */
async function openPage(browser: Browser, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()}`));
  return page;
}

describe('the web GUI in a real headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Debian's chromium; as root it needs --no-sandbox.
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('standalone: overview, mesh page with picture, live refresh of a data plane added through the API, no console errors', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    for (const dp of [dataplane('web-1', 'web', '127.0.0.11', ['backend']), dataplane('backend-1', 'backend', '127.0.0.12')]) await put(cp.apiUrl, `/meshes/default/dataplanes/${dp.name}`, dp);
    await put(cp.apiUrl, '/meshes/default/traffic-permissions/web-to-backend', {
      type: 'TrafficPermission',
      mesh: 'default',
      name: 'web-to-backend',
      sources: [{ match: { 'kuma.io/service': 'web' } }],
      destinations: [{ match: { 'kuma.io/service': 'backend' } }],
    });
    const errors: string[] = [];
    const page = await openPage(browser, errors);

    await page.goto(`${cp.apiUrl}/gui`);
    await page.getByTestId('meshes').getByRole('link', { name: 'default' }).waitFor();
    expect(await page.getByTestId('mode').textContent()).toBe('standalone control plane');
    expect(await page.getByTestId('card-dataplanes-offline').locator('.card-value').textContent()).toBe('2');
    await page.screenshot({ path: join(ARTIFACTS, 'standalone-overview.png'), fullPage: true });

    await page.getByTestId('meshes').getByRole('link', { name: 'default' }).click();
    await page.getByTestId('mesh-name').waitFor();
    const services = page.getByTestId('services');
    await services.getByRole('cell', { name: 'backend', exact: true }).waitFor();
    expect(await services.locator('tbody tr').count()).toBe(2);
    // The picture: both services as nodes, the permission as an edge web -> backend.
    const graph = page.getByTestId('mesh-graph');
    expect(await graph.locator('[data-service]').evaluateAll((els: readonly DomElement[]) => els.map((e) => e.getAttribute('data-service')).sort())).toEqual(['backend', 'web']);
    expect(await graph.locator('[data-edge="TrafficPermission:web->backend"]').count()).toBe(1);
    // Matched policies per data plane, from the inspect endpoint.
    const web1 = page.getByTestId('dataplanes').locator('tr', { hasText: 'web-1' });
    await expect.poll(() => web1.textContent()).toContain('TrafficRoute route-all-default');
    expect(await web1.textContent()).toContain('offline');
    expect(await page.getByTestId('policies').textContent()).toContain('web-to-backend');
    await page.screenshot({ path: join(ARTIFACTS, 'standalone-mesh.png'), fullPage: true });

    // Live: a Dataplane added through the API shows up without a reload.
    await put(cp.apiUrl, '/meshes/default/dataplanes/db-1', dataplane('db-1', 'db', '127.0.0.13'));
    await page.getByTestId('dataplanes').getByRole('cell', { name: 'db-1', exact: true }).waitFor({ timeout: 15_000 });
    await page.getByTestId('mesh-graph').locator('[data-service="db"]').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'standalone-mesh-live.png'), fullPage: true });

    await page.goto(`${cp.apiUrl}/gui#/`);
    await expect.poll(() => page.getByTestId('card-dataplanes-offline').locator('.card-value').textContent(), { timeout: 15_000 }).toBe('3');

    // More than 50 data planes: every row still shows its matched policies (web-1 sorts after the 55 fillers).
    for (let i = 0; i < 55; i++) {
      const name = `filler-${String(i).padStart(2, '0')}`;
      await put(cp.apiUrl, `/meshes/default/dataplanes/${name}`, dataplane(name, 'filler', `127.0.1.${i + 1}`));
    }
    await page.goto(`${cp.apiUrl}/gui#/meshes/default`);
    const rows = page.getByTestId('dataplanes').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(58);
    const matched = await rows.evaluateAll((trs: readonly DomTableRow[]) => trs.map((tr): [string, string] => [tr.cells[0]?.textContent ?? '', tr.cells[5]?.textContent ?? '']));
    expect(matched.filter(([, policies]) => !policies.includes('TrafficPermission ')).map(([name]) => name)).toEqual([]);
    expect(matched.find(([name]) => name === 'filler-54')?.[1]).toContain('TrafficPermission allow-all-default');
    expect(matched.find(([name]) => name === 'web-1')?.[1]).toContain('TrafficRoute route-all-default');
    await page.screenshot({ path: join(ARTIFACTS, 'standalone-mesh-58-dataplanes.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
    await cp.stop();
  }, 120_000);

  it('global and zone: zone page on the global, the GUI on the zone', async () => {
    const global = await startCp({ mode: 'global', env: { KUMA_STORE_TYPE: 'memory' } });
    const zone = await startCp({ mode: 'zone', zone: 'zone-1', globalAddress: `grpc://127.0.0.1:${global.ports.kds}`, env: { KUMA_STORE_TYPE: 'memory', ...(await zoneAuthEnv(global, 'zone-1')) } });
    await put(zone.apiUrl, '/meshes/default/dataplanes/web-1', dataplane('web-1', 'web', '127.0.0.21')).catch(async () => {
      // The default mesh reaches the zone from the global over KDS; retry until it is there.
      for (let i = 0; i < 50; i++) {
        const res = await fetch(`${zone.apiUrl}/meshes/default/dataplanes/web-1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(dataplane('web-1', 'web', '127.0.0.21')) });
        if (res.status < 300) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('the zone never got mesh default');
    });
    const errors: string[] = [];
    const page = await openPage(browser, errors);

    await page.goto(`${global.apiUrl}/gui`);
    expect(await page.getByTestId('mode').textContent()).toBe('global control plane');
    const zones = page.getByTestId('zones');
    await zones.getByRole('link', { name: 'zone-1' }).waitFor();
    await expect.poll(() => zones.textContent(), { timeout: 20_000 }).toContain('online');
    await page.screenshot({ path: join(ARTIFACTS, 'global-overview.png'), fullPage: true });
    await zones.getByRole('link', { name: 'zone-1' }).click();
    await page.getByTestId('zone-name').waitFor();
    // The KDS connection row names the global instance holding the stream.
    const globalId = ((await (await fetch(`${global.apiUrl}/zones+insights/zone-1`)).json()) as { zoneInsight: { subscriptions: { globalInstanceId: string }[] } }).zoneInsight.subscriptions[0]?.globalInstanceId;
    expect(globalId).toBeTruthy();
    await page.getByTestId('zone-subscriptions').getByRole('cell', { name: globalId ?? '', exact: true }).waitFor();
    // The zone's data plane, synced up to the global, appears on the zone page (live).
    await page.getByTestId('zone-dataplanes').getByRole('cell', { name: 'zone-1.web-1' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'global-zone.png'), fullPage: true });

    await page.goto(`${zone.apiUrl}/gui`);
    expect(await page.getByTestId('mode').textContent()).toBe('zone control plane zone-1');
    await page.getByTestId('meshes').getByRole('link', { name: 'default' }).click();
    await page.getByTestId('dataplanes').getByRole('cell', { name: 'web-1', exact: true }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'zone-mesh.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 150_000);
});
