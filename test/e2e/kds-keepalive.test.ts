import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { eventually, getJson, putJson, startZone, trafficRoute } from '../helpers/multizone.js';

const NFT_TABLE = `kuma_kds_keepalive_test_${process.pid}`;

/**
 * Drops every TCP packet to or from `port` on this host (an nftables table of its own, hooked on output, so both
 * directions over loopback): the peer's host or network is gone, and nothing (FIN, RST, ACK) comes back.
 */
function blackhole(port: number): void {
  const nft = (...args: string[]): void => void execFileSync('nft', args, { stdio: 'pipe' });
  nft('add', 'table', 'inet', NFT_TABLE);
  nft('add', 'chain', 'inet', NFT_TABLE, 'out', '{ type filter hook output priority 0; policy accept; }');
  nft('add', 'rule', 'inet', NFT_TABLE, 'out', 'tcp', 'dport', String(port), 'drop');
  nft('add', 'rule', 'inet', NFT_TABLE, 'out', 'tcp', 'sport', String(port), 'drop');
}

function restoreNetwork(): void {
  try {
    execFileSync('nft', ['delete', 'table', 'inet', NFT_TABLE], { stdio: 'pipe' });
  } catch {
    // no such table: nothing was dropped
  }
}

afterAll(async () => {
  restoreNetwork();
  await stopAll();
});

interface ZoneInsightOverview {
  zoneInsight: { subscriptions?: { connectTime?: string; disconnectTime?: string }[] };
}

const subscriptions = async (global: CpProcess, zone: string): Promise<{ connectTime?: string; disconnectTime?: string }[]> =>
  (await getJson<ZoneInsightOverview>(`${global.apiUrl}/zones+insights/${zone}`)).zoneInsight.subscriptions ?? [];

const total = async (url: string): Promise<number> => (await getJson<{ total: number }>(`${url}?size=1`)).total;

const zoneActive = async (global: CpProcess, zone: string): Promise<boolean | undefined> =>
  (await getJson<{ name: string; active: boolean }[]>(`${global.apiUrl}/status/zones`)).find((z) => z.name === zone)?.active;

const linesMatching = (cp: CpProcess, re: RegExp): string[] => cp.logs().filter((l) => re.test(l));

/** The kernel's view (iproute2 `ss`) of the established TCP connections matching `filter`, with their timers. */
const sockets = (filter: string): string[] =>
  execFileSync('ss', ['-tnoH', 'state', 'established', filter], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.trim() !== '');

/** Both ends of the one KDS connection (the zone's socket dialed to the KDS port, the global's accepted one); throws unless one each. */
function kdsConnection(kds: number): string[] {
  const dialed = sockets(`( dport = :${kds} )`);
  const accepted = sockets(`( sport = :${kds} )`);
  if (dialed.length !== 1 || accepted.length !== 1) throw new Error(`dialed: ${dialed.join(' | ')}; accepted: ${accepted.join(' | ')}`);
  return [...dialed, ...accepted];
}

/** True when both ends run a keepalive timer; throws saying what it saw. */
function keepaliveOnBothEnds(kds: number): boolean {
  const ends = kdsConnection(kds);
  if (!ends.every((l) => l.includes('timer:(keepalive,'))) throw new Error(ends.join(' | '));
  return true;
}

/** True when neither end has anything queued or unacknowledged (no retransmission or zero-window timer). */
function idle(kds: number): boolean {
  const ends = kdsConnection(kds);
  if (!ends.every((l) => /^0\s+0\s/.test(l) && !/timer:\((on|persist),/.test(l))) throw new Error(ends.join(' | '));
  return true;
}

/**
 * The KDS stream's HTTP/2 PING is answered only when the peer reads its socket. A zone whose event loop is busy
 * (applying a large sync) or that is slow to read what the global wrote looks, to a PING timer, like a dead one.
 * With the old options (the global pinging every 5 s with 5 s to answer) a zone that did not read for more than
 * ~10 s lost its stream and started its whole sync again.
 */
describe('KDS keepalive (a global and a zone, built daemons)', () => {
  let global: CpProcess;
  let zone: CpProcess;

  beforeAll(async () => {
    global = await startCp({ mode: 'global' });
    zone = await startZone('zone-1', global, { tls: true });
    await eventually(async () => (await zoneActive(global, 'zone-1')) === true, 'zone-1 active');
    await eventually(async () => (await fetch(`${zone.apiUrl}/meshes/default`)).status === 200, 'mesh default on the zone');
  }, 60_000);

  it('both ends of the KDS connection have TCP keepalive on (a peer gone without closing is found while idle)', async () => {
    const kds = global.ports.kds ?? 0;
    // The zone's dialed socket (to the KDS port) and the global's accepted one (from it): one each, both probing.
    await eventually(() => Promise.resolve(keepaliveOnBothEnds(kds)), 'keepalive timers on both ends of the KDS connection');
  });

  it('a zone stopped for 13 s while the global writes to it resumes on the same stream, without a re-sync', async () => {
    const routesBefore = await total(`${zone.apiUrl}/meshes/default/traffic-routes`);
    expect(await subscriptions(global, 'zone-1')).toHaveLength(1);

    // SIGSTOP: the zone reads nothing (neither the global's data nor its PINGs), as when its event loop is busy.
    const N = 200;
    process.kill(zone.pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    try {
      // The global has data for the zone outstanding throughout the pause.
      for (let i = 0; i < N; i++) expect((await putJson(`${global.apiUrl}/meshes/default/traffic-routes/paused-${i}`, trafficRoute(`paused-${i}`, `paused-${i}`))).status).toBe(201);
      // Longer than the old ping interval + timeout (5 s + 5 s), with margin for the timer's phase.
      await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + 13_000 - Date.now())));
      // The global still counts the zone as connected while it is stopped.
      expect(await getJson<{ name: string; active: boolean }[]>(`${global.apiUrl}/status/zones`)).toEqual([{ name: 'zone-1', active: true }]);
    } finally {
      process.kill(zone.pid, 'SIGCONT');
    }

    await eventually(async () => (await total(`${zone.apiUrl}/meshes/default/traffic-routes`)) === routesBefore + N, `${N} routes written during the pause on the zone`);
    // Same stream: one connect on each side, no disconnect, one ZoneInsight subscription still open.
    expect(linesMatching(global, /"msg":"zone disconnected"/)).toEqual([]);
    expect(linesMatching(global, /"msg":"zone connected"/)).toHaveLength(1);
    expect(linesMatching(zone, /"msg":"disconnected from global"/)).toEqual([]);
    expect(linesMatching(zone, /"msg":"connected to global"/)).toHaveLength(1);
    const subs = await subscriptions(global, 'zone-1');
    expect(subs).toHaveLength(1);
    expect(subs[0]?.disconnectTime).toBeUndefined();
  }, 60_000);
});

/**
 * What the short PING was for: a zone whose host or network is gone (no FIN, no RST, nothing answers) must show
 * offline on the global promptly. TCP keepalive finds it on an idle connection: 15 s without a packet, then 10
 * probes 1 s apart, on both ends. Neither end's HTTP/2 PING (first one 60 s after connecting) can do it within
 * the 40 s allowed here, so this fails if either end's TCP keepalive is missing.
 */
describe('KDS: a zone whose network is gone (built daemons, the KDS port black-holed with nftables)', () => {
  it('shows offline on the global within 40 s, the zone notices too, and it reconnects once the network is back', async () => {
    const global = await startCp({ mode: 'global' });
    const zone = await startZone('zone-1', global, { tls: true });
    await eventually(async () => (await zoneActive(global, 'zone-1')) === true, 'zone-1 active');
    // Once the initial sync is over: TCP keepalive probes only a connection with nothing outstanding (a peer gone
    // in the middle of a push is found by the HTTP/2 PING, within 2 minutes).
    const kds = global.ports.kds ?? 0;
    await eventually(() => Promise.resolve(idle(kds)), 'the KDS connection idle');
    blackhole(kds);
    try {
      await eventually(async () => (await zoneActive(global, 'zone-1')) === false, 'zone-1 offline on the global', 40_000);
      const subs = await subscriptions(global, 'zone-1');
      expect(subs.at(-1)?.disconnectTime).toBeTruthy();
      // The zone's own dialed connection is found dead the same way (then it retries with back-off).
      await zone.waitForLog(/"msg":"disconnected from global"/, 40_000);
    } finally {
      restoreNetwork();
    }
    await eventually(async () => (await zoneActive(global, 'zone-1')) === true, 'zone-1 back online', 60_000);
    expect(await subscriptions(global, 'zone-1')).toHaveLength(2);
  }, 150_000);
});
