/**
 * Preloaded into the daemon by the xDS bench with --profile or --heap-snapshots (`NODE_OPTIONS=--import=<this file>`; Node 20
 * refuses --cpu-prof in NODE_OPTIONS): SIGUSR2 starts the V8 CPU profiler, the next SIGUSR2 stops it and
 * writes the profile as JSON to $KUMA_BENCH_CPU_PROFILE, so only the step between the two is profiled.
 * SIGWINCH writes a heap snapshot to $KUMA_BENCH_HEAP_SNAPSHOT, then `<file>.done` once it is complete.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { writeHeapSnapshot } from 'node:v8';

const out = process.env['KUMA_BENCH_CPU_PROFILE'];
if (out) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')));
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, res) => {
      writeFileSync(out, err ? JSON.stringify({ error: err.message }) : JSON.stringify(res.profile));
    });
  });
}

const heap = process.env['KUMA_BENCH_HEAP_SNAPSHOT'];
if (heap) {
  process.on('SIGWINCH', () => {
    writeHeapSnapshot(heap);
    writeFileSync(`${heap}.done`, '');
  });
}
