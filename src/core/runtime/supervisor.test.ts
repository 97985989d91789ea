import { describe, expect, it } from 'vitest';
import { logger } from '../logging.js';
import type { Component } from './component.js';
import { ComponentManager } from './component-manager.js';
import { untilAborted } from './abort.js';
import { backoffDelay, supervise } from './supervisor.js';

const FAST = { baseMs: 1, maxMs: 4 };

describe('supervise', () => {
  it('restarts a component that fails after being ready, with back-off', async () => {
    const ac = new AbortController();
    let starts = 0;
    const c: Component = {
      name: 'flaky',
      async start(signal, ready) {
        starts++;
        ready();
        if (starts < 3) throw new Error('boom');
        await new Promise<void>((r) => signal.addEventListener('abort', () => r()));
      },
    };
    let readyCalls = 0;
    const done = supervise(c, ac.signal, logger('test'), { onReady: () => readyCalls++, onStartupFailure: () => expect.fail('not a startup failure') }, FAST);
    await new Promise((r) => setTimeout(r, 50));
    expect(starts).toBe(3);
    expect(readyCalls).toBe(1);
    ac.abort();
    await done;
  });

  it('reports a failure before ready as a startup failure and does not retry', async () => {
    const ac = new AbortController();
    let starts = 0;
    const c: Component = {
      name: 'bind',
      start() {
        starts++;
        return Promise.reject(new Error('port 1 is already in use'));
      },
    };
    const failure = await new Promise<Error>((resolve) => {
      void supervise(c, ac.signal, logger('test'), { onReady: () => undefined, onStartupFailure: resolve }, FAST);
    });
    expect(failure.message).toBe('bind: port 1 is already in use');
    expect(starts).toBe(1);
  });

  it('back-off grows and is capped', () => {
    const p = { baseMs: 100, maxMs: 1000 };
    for (let i = 0; i < 50; i++) {
      expect(backoffDelay(p, 0)).toBeGreaterThanOrEqual(50);
      expect(backoffDelay(p, 0)).toBeLessThanOrEqual(100);
      expect(backoffDelay(p, 10)).toBeLessThanOrEqual(1000);
      expect(backoffDelay(p, 10)).toBeGreaterThanOrEqual(500);
    }
  });
});

describe('ComponentManager', () => {
  it('skips leader-only components on a non-leader and resolves when all are ready', async () => {
    const started: string[] = [];
    const mk = (name: string, leaderOnly: boolean): Component => ({
      name,
      leaderOnly,
      async start(signal, ready) {
        started.push(name);
        ready();
        await new Promise<void>((r) => signal.addEventListener('abort', () => r()));
      },
    });
    const m = new ComponentManager({ isLeader: false, onChange: () => () => undefined }, logger('runtime'));
    m.add([mk('a', false), mk('leader', true)]);
    const ac = new AbortController();
    await m.start(ac.signal);
    expect(started).toEqual(['a']);
    expect(m.ready).toBe(true);
    ac.abort();
    await m.stopped();
  });
});

describe('ComponentManager with changing leadership', () => {
  it('starts leader-only components when leadership is gained and stops them when it is lost, again and again', async () => {
    const listeners = new Set<(leader: boolean) => void>();
    const leadership = {
      isLeader: false,
      onChange(l: (leader: boolean) => void) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const set = (leader: boolean): void => {
      leadership.isLeader = leader;
      for (const l of listeners) l(leader);
    };
    const running = new Set<string>();
    const log: string[] = [];
    const mk = (name: string, leaderOnly: boolean): Component => ({
      name,
      leaderOnly,
      async start(signal, ready) {
        running.add(name);
        log.push(`start ${name}`);
        ready();
        await new Promise<void>((r) => signal.addEventListener('abort', () => r()));
        running.delete(name);
        log.push(`stop ${name}`);
      },
    });
    const m = new ComponentManager(leadership, logger('runtime'));
    m.add([mk('api', false), mk('vips', true), mk('defaults', true)]);
    const ac = new AbortController();
    await m.start(ac.signal);
    expect(m.ready).toBe(true);
    expect([...running]).toEqual(['api']);
    set(true);
    await new Promise((r) => setTimeout(r, 10));
    expect([...running].sort()).toEqual(['api', 'defaults', 'vips']);
    set(false);
    await new Promise((r) => setTimeout(r, 10));
    expect([...running]).toEqual(['api']);
    set(true);
    await new Promise((r) => setTimeout(r, 10));
    expect([...running].sort()).toEqual(['api', 'defaults', 'vips']);
    expect(m.ready).toBe(true);
    ac.abort();
    await m.stopped();
    expect(running.size).toBe(0);
    expect(log.filter((l) => l === 'start vips')).toHaveLength(2);
    expect(log.filter((l) => l === 'stop vips')).toHaveLength(2);
  });
});

describe('untilAborted', () => {
  it('resolves at once for a signal that has already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await untilAborted(ac.signal);
  });
});
