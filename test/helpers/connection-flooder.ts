import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * An attacker process holding idle TCP connections: opens `count` connections round-robin to `ports` on
 * 127.0.0.1 from `source` (200 at a time), keeps them, and reports how many were established, failed to
 * connect, or were closed by the server (a refusal). One process per 10,000 connections at most (its own
 * descriptors).
 */
const FLOODER = `
const net = require('node:net');
const [ports, n, source] = [process.argv[1].split(',').map(Number), Number(process.argv[2]), process.argv[3]];
let opened = 0, closedByServer = 0, failed = 0, settled = 0;
const held = [];
const report = () => console.log(JSON.stringify({ opened, closedByServer, failed }));
let i = 0;
function next() {
  if (i >= n) return;
  const port = ports[i++ % ports.length];
  const s = net.connect({ port, host: '127.0.0.1', localAddress: source });
  held.push(s);
  s.on('connect', () => { opened++; settle(); });
  s.on('error', () => { failed++; settle(); });
  s.on('close', () => { closedByServer++; });
}
function settle() { if (++settled === n) report(); else next(); }
for (let k = 0; k < 200; k++) next();
process.stdin.on('data', () => report());
`;

export interface FloodReport {
  opened: number;
  closedByServer: number;
  failed: number;
}

export interface Flooder {
  readonly proc: ChildProcessWithoutNullStreams;
  /** The counts when every connection attempt has settled. */
  readonly first: FloodReport;
  /** The counts now (connections the server closed since are counted). */
  report(): Promise<FloodReport>;
  kill(): void;
}

export async function startFlooder(ports: readonly number[], count: number, source: string): Promise<Flooder> {
  const proc = spawn(process.execPath, ['-e', FLOODER, ports.join(','), String(count), source]);
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<FloodReport> => JSON.parse(String((await lines.next()).value)) as FloodReport;
  const first = await next();
  return {
    proc,
    first,
    report: () => {
      proc.stdin.write('\n');
      return next();
    },
    kill: () => proc.kill('SIGKILL'),
  };
}
