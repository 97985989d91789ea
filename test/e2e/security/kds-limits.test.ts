import { Client, credentials, Metadata, status, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID_METADATA, decodeReceived, encodeMessage, KDS_SYNC_PATH, type AckMsg, type KdsMessage, type ReceivedMessage } from '../../../src/kds/kds-proto.js';
import { startCp, stopAll, type CpProcess } from '../../helpers/cp-process.js';
import { eventually, putJson, startZone } from '../../helpers/multizone.js';
import { zoneToken } from '../../helpers/tokens.js';

/**
 * Attack: a zone with a valid zone token (compromised, or its operator malicious) sends the global resources far
 * larger or deeper than any real one over KDS, where the REST body limit does not apply. Defence guarded: the one
 * resource size/nesting limit (core/resource-limits.ts) checked by the ResourceManager that the KDS sink writes
 * through, and gRPC's message limit (multizone.global.kds.maxMsgSize). Each update is refused (NACK naming the
 * limit, or RESOURCE_EXHAUSTED for a message over the size limit), nothing is stored, and the global and the
 * legitimate zone-1 keep syncing.
 */
let global: CpProcess;
let zone1: CpProcess;

interface Attacker {
  send(msg: KdsMessage): void;
  /** The global's answer to the update with `nonce`. */
  ack(nonce: string): Promise<AckMsg>;
  /** How the stream ended (waits up to `ms`; OK = still open). */
  ended(ms: number): Promise<{ code: status; details: string }>;
  close(): void;
}

async function dialAsZone(zone: string): Promise<Attacker> {
  const client = new Client(`127.0.0.1:${global.ports.kds}`, credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
  const md = new Metadata();
  md.set(CLIENT_ID_METADATA, zone);
  md.set('authorization', await zoneToken(global, zone));
  const call: ClientDuplexStream<KdsMessage, ReceivedMessage> = client.makeBidiStreamRequest(KDS_SYNC_PATH, encodeMessage, decodeReceived, md, {});
  const acks: AckMsg[] = [];
  const waiters = new Set<() => void>();
  let end: { code: status; details: string } | undefined;
  call.on('data', (m: ReceivedMessage) => {
    if ('ack' in m) acks.push(m.ack);
    for (const w of waiters) w();
  });
  call.on('error', (e: ServiceError) => {
    end = { code: e.code, details: e.details };
    for (const w of waiters) w();
  });
  const until = <T>(pick: () => T | undefined, ms: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const v = pick();
        if (v === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(v);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${what} within ${ms} ms${end ? ` (stream ended: ${end.code} ${end.details})` : ''}`));
      }, ms);
      waiters.add(check);
      check();
    });
  return {
    send: (msg) => void call.write(msg),
    ack: (nonce) => until(() => acks.find((a) => a.nonce === nonce), 20_000, `ack for ${nonce}`),
    ended: (ms) => until(() => end, ms, 'end').catch(() => ({ code: status.OK, details: 'still open' })),
    close: () => {
      call.cancel();
      client.close();
    },
  };
}

const meta = (name: string) => ({ name, mesh: 'default', version: '1', labels: {}, creationTime: '', modificationTime: '' });
const dataplaneSpec = (extraTags: Record<string, string> = {}) => ({ networking: { address: '10.9.9.9', inbound: [{ port: 9000, tags: { 'kuma.io/service': 'evil', ...extraTags } }] } });
const update = (nonce: string, name: string, spec: string): KdsMessage => ({ update: { type: 'Dataplane', nonce, resources: [{ meta: meta(name), spec }], removed: [] } });

const status0 = async (url: string): Promise<number> => (await fetch(url)).status;
const dataplaneNames = async (): Promise<string[]> =>
  ((await (await fetch(`${global.apiUrl}/meshes/default/dataplanes`)).json()) as { items: { name: string }[] }).items.map((i) => i.name);

/** zone-1 still syncs to the global. */
async function zone1StillSyncs(tag: string): Promise<void> {
  const dp = { type: 'Dataplane', mesh: 'default', name: `dp-${tag}`, networking: { address: '127.0.0.1', inbound: [{ port: 9000, tags: { 'kuma.io/service': 'web' } }] } };
  expect((await putJson(`${zone1.apiUrl}/meshes/default/dataplanes/dp-${tag}`, dp)).status).toBe(201);
  await eventually(async () => (await status0(`${global.apiUrl}/meshes/default/dataplanes/zone-1.dp-${tag}`)) === 200, `zone-1.dp-${tag} on the global`);
}

beforeAll(async () => {
  global = await startCp({ mode: 'global' });
  zone1 = await startZone('zone-1', global);
  await eventually(async () => (await status0(`${zone1.apiUrl}/meshes/default`)) === 200, 'mesh default on zone-1');
  await zone1StillSyncs('0');
}, 90_000);

afterAll(() => stopAll());

describe('an authenticated zone sends oversize or too deeply nested resources over KDS (built daemons)', () => {
  it('a 1.5 MB Dataplane and one nested 100,000 levels deep are refused with the reason; nothing is stored', async () => {
    const evil = await dialAsZone('zone-evil');
    // The stream is admitted (the token is valid) and a sane update is applied: the refusals below are about size.
    evil.send(update('ok-1', 'small', JSON.stringify(dataplaneSpec())));
    expect((await evil.ack('ok-1')).error).toBeUndefined();
    await eventually(async () => (await status0(`${global.apiUrl}/meshes/default/dataplanes/zone-evil.small`)) === 200, 'zone-evil.small on the global');

    evil.send(update('big-1', 'big', JSON.stringify(dataplaneSpec({ blob: 'x'.repeat(1_500_000) }))));
    const big = await evil.ack('big-1');
    expect(big.error?.message).toMatch(/^Dataplane: .*spec: is \d+ bytes as JSON, more than the 1048576 a resource may have/);

    const depth = 100_000;
    evil.send(update('deep-1', 'deep', `{"networking":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`));
    const deep = await evil.ack('deep-1');
    expect(deep.error?.message).toMatch(/^Dataplane: .*spec: nests deeper than 64 levels/);

    // Still connected: the refusals were per update, and nothing of them was written.
    expect(await evil.ended(500)).toMatchObject({ code: status.OK });
    const names = await dataplaneNames();
    expect(names).toContain('zone-evil.small');
    expect(names.filter((n) => n === 'zone-evil.big' || n === 'zone-evil.deep')).toEqual([]);
    evil.close();
    await zone1StillSyncs('1');
  }, 60_000);

  it('a message over the KDS message limit (10 MiB) ends the stream with RESOURCE_EXHAUSTED; the global keeps serving', async () => {
    const evil = await dialAsZone('zone-evil');
    evil.send(update('huge-1', 'huge', JSON.stringify(dataplaneSpec({ blob: 'x'.repeat(11 * 1024 * 1024) }))));
    const end = await evil.ended(20_000);
    expect(end.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(end.details).toMatch(/larger than max/);
    evil.close();
    expect(await dataplaneNames()).not.toContain('zone-evil.huge');
    expect(await status0(`${global.apiUrl}/zones/zone-evil`)).toBe(200);
    await zone1StillSyncs('2');
  }, 60_000);
});
