import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../core/resources/model.js';
import type { UpdateMsg } from './kds-proto.js';
import { TypeSender } from './type-sender.js';
import { toExported, type ExportedResource } from './wire-resource.js';

const res = (name: string, spec: Record<string, unknown> = { v: name }): Resource => ({
  type: 'TrafficRoute',
  meta: { name, mesh: 'm', version: 1, creationTime: '2024-01-01T00:00:00Z', modificationTime: '2024-01-01T00:00:00Z' },
  spec,
});

function harness(maxMsgBytes = 1 << 20) {
  const desired = new Map<string, ExportedResource>();
  const sent: UpdateMsg[] = [];
  const logs: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => logs.push(s) });
  const sender = new TypeSender({ type: 'TrafficRoute', desired: () => desired.values(), send: (u) => sent.push(u), maxMsgBytes, log, nackRetryBaseMs: 10 });
  const put = (r: Resource): ExportedResource => {
    const e = toExported(r, 'globalToZone');
    desired.set(e.key, e);
    return e;
  };
  return { desired, sent, logs, sender, put };
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
const names = (u: UpdateMsg | undefined): string[] => (u?.resources ?? []).map((r) => r.meta.name);

describe('TypeSender', () => {
  it('sends nothing before the peer subscribes, then only what differs from what the peer holds', async () => {
    const h = harness();
    const same = h.put(res('same'));
    h.put(res('stale', { v: 'new' }));
    h.put(res('fresh'));
    h.sender.schedule();
    await tick();
    expect(h.sent).toEqual([]);
    h.sender.subscribe({
      type: 'TrafficRoute',
      initial: [
        { name: 'same', mesh: 'm', version: same.version },
        { name: 'stale', mesh: 'm', version: 'old' },
      ],
      more: true,
    });
    h.sender.subscribe({ type: 'TrafficRoute', initial: [{ name: 'gone', mesh: 'm', version: 'x' }], more: false });
    await tick();
    expect(h.sent).toHaveLength(1);
    expect(names(h.sent[0]).sort()).toEqual(['fresh', 'stale']);
    expect(h.sent[0]?.removed).toEqual([{ name: 'gone', mesh: 'm' }]);
  });

  it('keeps one update in flight and sends later changes after the ACK', async () => {
    const h = harness();
    h.put(res('a'));
    h.sender.subscribe({ type: 'TrafficRoute', initial: [], more: false });
    await tick();
    h.put(res('b'));
    h.sender.schedule();
    await tick();
    expect(h.sent).toHaveLength(1);
    h.sender.ack({ type: 'TrafficRoute', nonce: 'not-it' });
    await tick();
    expect(h.sent).toHaveLength(1);
    h.sender.ack({ type: 'TrafficRoute', nonce: h.sent[0]!.nonce });
    await tick();
    expect(h.sent.map(names)).toEqual([['a'], ['b']]);
    h.sender.ack({ type: 'TrafficRoute', nonce: h.sent[1]!.nonce });
    h.desired.delete('m/a');
    h.sender.schedule();
    await tick();
    expect(h.sent[2]?.removed).toEqual([{ name: 'a', mesh: 'm' }]);
    expect(h.sent[2]?.resources).toEqual([]);
  });

  it('after a NACK logs the reason and resends after a delay', async () => {
    const h = harness();
    h.put(res('a'));
    h.sender.subscribe({ type: 'TrafficRoute', initial: [], more: false });
    await tick();
    h.sender.ack({ type: 'TrafficRoute', nonce: h.sent[0]!.nonce, error: { message: 'mesh m is not found' } });
    await tick();
    expect(h.sent).toHaveLength(1);
    await tick(30);
    expect(h.sent.map(names)).toEqual([['a'], ['a']]);
    expect(h.logs.some((l) => l.includes('NACK') && l.includes('mesh m is not found') && l.includes('TrafficRoute'))).toBe(true);
    h.sender.close();
  });

  it('splits a large change set across messages and reports a resource too large to send, naming it', async () => {
    const h = harness(8 * 1024);
    for (let i = 0; i < 40; i++) h.put(res(`r-${i}`, { blob: 'x'.repeat(400) }));
    h.put(res('huge', { blob: 'x'.repeat(20_000) }));
    h.sender.subscribe({ type: 'TrafficRoute', initial: [], more: false });
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 40; i++) {
      await tick();
      const last = h.sent[h.sent.length - 1]!;
      for (const n of names(last)) seen.add(n);
      h.sender.ack({ type: 'TrafficRoute', nonce: last.nonce });
    }
    expect(seen.size).toBe(40);
    expect(h.sent.length).toBeGreaterThan(2);
    expect(seen.has('huge')).toBe(false);
    const errors = h.logs.filter((l) => l.includes('"level":50'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('TrafficRoute m/huge is larger than the KDS message size limit');
  });
});
