import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { eventually, getJson, putJson, startZone, trafficRoute } from '../helpers/multizone.js';

afterAll(stopAll);

interface ZoneInsightOverview {
  zoneInsight: { subscriptions?: { connectTime?: string; disconnectTime?: string }[] };
}

const subscriptions = async (global: CpProcess, zone: string): Promise<{ connectTime?: string; disconnectTime?: string }[]> =>
  (await getJson<ZoneInsightOverview>(`${global.apiUrl}/zones+insights/${zone}`)).zoneInsight.subscriptions ?? [];

const total = async (url: string): Promise<number> => (await getJson<{ total: number }>(`${url}?size=1`)).total;

const linesMatching = (cp: CpProcess, re: RegExp): string[] => cp.logs().filter((l) => re.test(l));

/** The kernel's view (iproute2 `ss`) of the established TCP connections matching `filter`, with their timers. */
const sockets = (filter: string): string[] =>
  execFileSync('ss', ['-tnoH', 'state', 'established', filter], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.trim() !== '');

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
    await eventually(async () => (await getJson<{ name: string; active: boolean }[]>(`${global.apiUrl}/status/zones`)).some((z) => z.name === 'zone-1' && z.active), 'zone-1 active');
    await eventually(async () => (await fetch(`${zone.apiUrl}/meshes/default`)).status === 200, 'mesh default on the zone');
  }, 60_000);

  it('both ends of the KDS connection have TCP keepalive on (a peer gone without closing is found while idle)', async () => {
    const kds = global.ports.kds ?? 0;
    // The zone's dialed socket (to the KDS port) and the global's accepted one (from it): one each, both probing.
    await eventually(() => {
      const dialed = sockets(`( dport = :${kds} )`);
      const accepted = sockets(`( sport = :${kds} )`);
      const ok = dialed.length === 1 && accepted.length === 1 && [...dialed, ...accepted].every((l) => l.includes('timer:(keepalive,'));
      if (!ok) throw new Error(`dialed: ${dialed.join(' | ')}; accepted: ${accepted.join(' | ')}`);
      return Promise.resolve(true);
    }, 'keepalive timers on both ends of the KDS connection');
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
