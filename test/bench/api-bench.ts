/**
 * REST API bench: for `seconds` each, `concurrency` clients loop GET of one TrafficRoute, then PUT of it
 * (a new spec each time), against the built daemon (memory store) and, as the same-run baseline, a trivial
 * node:http server in this process answering the same bytes (GET) and reading the body (PUT).
 * Figures: `get_rps`, `get_p99_ms`, `put_rps`, `put_p99_ms`.
 * `npm run bench -- api [--api-seconds S] [--api-concurrency C]`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCp, stopAll } from '../helpers/cp-process.js';
import { percentile } from './dns-probe.js';
import { report, type Figure } from './report.js';

export interface ApiBenchOptions {
  readonly seconds?: number;
  readonly concurrency?: number;
}

interface LoadResult {
  readonly rps: number;
  readonly p99: number;
}

const route = (i: number): object => ({
  type: 'TrafficRoute',
  mesh: 'default',
  name: 'api-bench',
  sources: [{ match: { 'kuma.io/service': '*' } }],
  destinations: [{ match: { 'kuma.io/service': `svc-${i}` } }],
  conf: { destination: { 'kuma.io/service': `svc-${i}` } },
});

/** `concurrency` loops of `request` for `seconds`; throughput and p99 latency. */
async function load(seconds: number, concurrency: number, request: (i: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t = performance.now();
      await request(n++);
      latencies.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { rps: latencies.length / ((performance.now() - t0) / 1000), p99: percentile(latencies, 99) };
}

async function expectStatus(res: Response, ok: readonly number[], what: string): Promise<void> {
  const body = await res.arrayBuffer();
  if (!ok.includes(res.status)) throw new Error(`${what}: ${res.status} ${Buffer.from(body).toString().slice(0, 200)}`);
}

/** The baseline: GET answers `body`, PUT reads the request and answers 200. */
async function trivialServer(body: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method === 'PUT') {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/route`, close: () => new Promise((r) => server.close(() => r())) };
}

async function measure(url: string, seconds: number, concurrency: number): Promise<{ get: LoadResult; put: LoadResult }> {
  const get = await load(seconds, concurrency, async () => expectStatus(await fetch(url), [200], `GET ${url}`));
  const put = await load(seconds, concurrency, async (i) =>
    expectStatus(await fetch(url, { method: 'PUT', body: JSON.stringify(route(i)), headers: { 'content-type': 'application/json' } }), [200, 201], `PUT ${url}`),
  );
  return { get, put };
}

export async function runApiBench(options: ApiBenchOptions = {}): Promise<Figure[]> {
  const seconds = options.seconds ?? 5;
  const concurrency = options.concurrency ?? 16;
  let rows: Figure[];
  try {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    const url = `${cp.apiUrl}/meshes/default/traffic-routes/api-bench`;
    await expectStatus(await fetch(url, { method: 'PUT', body: JSON.stringify(route(0)), headers: { 'content-type': 'application/json' } }), [200, 201], `PUT ${url}`);
    const body = await (await fetch(url)).text();
    const daemon = await measure(url, seconds, concurrency);
    await cp.stop();
    const trivial = await trivialServer(body);
    const base = await measure(trivial.url, seconds, concurrency);
    await trivial.close();
    const label = 'trivial node:http server, same bytes';
    const note = `${concurrency} clients, ${seconds} s`;
    rows = [
      { metric: 'get_rps', value: daemon.get.rps, unit: 'req/s', baseline: base.get.rps, baselineLabel: label, note },
      { metric: 'get_p99_ms', value: daemon.get.p99, unit: 'ms', baseline: base.get.p99, baselineLabel: label, note },
      { metric: 'put_rps', value: daemon.put.rps, unit: 'req/s', baseline: base.put.rps, baselineLabel: label, note },
      { metric: 'put_p99_ms', value: daemon.put.p99, unit: 'ms', baseline: base.put.p99, baselineLabel: label, note },
    ];
  } finally {
    await stopAll();
  }
  report('api', 'REST API bench: one TrafficRoute, GET then PUT in a loop', rows);
  return rows;
}
