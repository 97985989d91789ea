import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdsTestClient, CDS, node } from '../../helpers/ads-client.js';
import { startFlooder, type Flooder } from '../../helpers/connection-flooder.js';
import { startCp, stopAll, type CpProcess } from '../../helpers/cp-process.js';
import { encodeQuery, udpQuery } from '../../helpers/dns-client.js';
import { dataplaneToken } from '../../helpers/tokens.js';

/**
 * Attack: 20,000 idle TCP connections from one source address (127.0.0.3) to the REST, xDS and DNS/TCP ports,
 * held open. Before the per-port/per-source caps every one was accepted until the CP ran out of file descriptors
 * (soft limit 20,000 here), and REST, xDS and DNS/TCP stopped accepting anyone. Now each port admits at most
 * general.maxConnectionsPerSource from one address and closes the rest at once; legitimate clients (127.0.0.1)
 * keep being served. Two attacker processes of 10,000 connections each (one process cannot hold 20,000 fds).
 * Defence guarded: the per-source cap (transport/connection-guard.ts); the process-wide budget under a small
 * ulimit: connection-budget.test.ts. Table in docs/security-attacks.md.
 */
const ATTACKERS = 2;
const PER_ATTACKER = 10_000;

let cp: CpProcess;
const attackers: Flooder[] = [];

beforeAll(async () => {
  // Idle connections are normally closed after 10 s; keep them for the whole attack so the caps are what holds.
  cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_GENERAL_IDLE_CONNECTION_TIMEOUT: '120s' } });
}, 60_000);

afterAll(async () => {
  for (const a of attackers) a.kill();
  await stopAll();
});

const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

describe('connection flood: 20,000 idle connections from one address', () => {
  it('REST, xDS and DNS keep answering legitimate clients, and the CP holds at most the per-source cap per port', async () => {
    const ports = [cp.ports.api, cp.ports.dpServer ?? 0, cp.ports.dnsTcp ?? 0];
    const flood = await Promise.all(Array.from({ length: ATTACKERS }, () => startFlooder(ports, PER_ATTACKER, '127.0.0.3')));
    attackers.push(...flood);
    for (const f of flood) expect(f.first.opened + f.first.failed).toBe(PER_ATTACKER);
    const reports = await Promise.all(flood.map((f) => f.report()));
    const opened = reports.reduce((a, r) => a + r.opened, 0);
    expect(opened + reports.reduce((a, r) => a + r.failed, 0)).toBe(ATTACKERS * PER_ATTACKER);
    // Most connections were established (then closed by the CP when over the cap), not refused by the kernel.
    expect(opened).toBeGreaterThan(3 * 2048);
    // The CP holds at most 2,048 per port from that address (general.maxConnectionsPerSource), plus its own.
    await expect.poll(() => openFds(cp.pid), { timeout: 20_000, interval: 200 }).toBeLessThan(3 * 2048 + 300);

    // Legitimate clients from another address are served while the flood is held.
    const res = await fetch(`${cp.apiUrl}/meshes/default`);
    expect(res.status).toBe(200);
    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer ?? 0}`);
    await fetch(`${cp.apiUrl}/meshes/default/dataplanes/web-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'Dataplane', mesh: 'default', name: 'web-1', networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] } }),
    });
    const s = client.sotw(await dataplaneToken(cp, { name: 'web-1' }));
    s.send({ type_url: CDS, node: node({ id: 'default.web-1' }) });
    expect((await s.next(CDS)).type_url).toBe(CDS);
    s.close();
    client.close();
    const udp = await udpQuery(cp.ports.dnsUdp ?? 0, encodeQuery('web.mesh'));
    expect(udp).toMatchObject({ type: 'response' });
    const tcp = await tcpQuery(cp.ports.dnsTcp ?? 0, encodeQuery('web.mesh'));
    expect(tcp.readUInt16BE(0)).toBeGreaterThan(12);
    // The refusals were logged as rate-limited summaries, not one line per connection.
    expect(cp.logs().filter((l) => l.includes('over the connection limit')).length).toBeLessThan(20);
  }, 120_000);
});

/** One DNS query over TCP; resolves with the length-prefixed reply. */
function tcpQuery(port: number, query: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      const frame = Buffer.alloc(2 + query.length);
      frame.writeUInt16BE(query.length, 0);
      query.copy(frame, 2);
      s.write(frame);
    });
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        s.destroy();
        resolve(buf);
      }
    });
    s.on('error', reject);
    s.setTimeout(10_000, () => reject(new Error('DNS over TCP: no answer')));
  });
}
