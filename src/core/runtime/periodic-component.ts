import { errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import type { Component } from './component.js';
import { sleep } from './supervisor.js';

/** A component that runs `task` every `intervalMs` until stopped; a failing run is logged to `opts.log` and retried next time. */
export function periodicComponent(name: string, intervalMs: number, task: () => Promise<void>, opts: { readonly log: Logger; readonly leaderOnly?: boolean }): Component {
  return {
    name,
    ...(opts.leaderOnly ? { leaderOnly: true } : {}),
    async start(signal, ready) {
      ready();
      while (!signal.aborted) {
        await sleep(intervalMs, signal);
        if (signal.aborted) break;
        try {
          await task();
        } catch (err) {
          opts.log.warn({ err: errorMessage(err) }, 'periodic run failed; retrying');
        }
      }
    },
  };
}
