/**
 * Preloaded into the daemon by the xDS bench with --profile (`NODE_OPTIONS=--import=<this file>`; Node 20
 * refuses --cpu-prof in NODE_OPTIONS): SIGUSR2 starts the V8 CPU profiler, the next SIGUSR2 stops it and
 * writes the profile as JSON to $KUMA_BENCH_CPU_PROFILE, so only the step between the two is profiled.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

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
