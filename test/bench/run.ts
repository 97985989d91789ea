/**
 * `npm run bench`: every bench against the built daemon, each printing its table with the ratio to a
 * baseline measured in the same run on the same machine. `npm run bench -- dns` runs one.
 */
import { runDnsBench } from './dns-bench.js';
import { runKdsBench } from './kds-bench.js';
import { runStoreBench } from './store-bench.js';
import { runXdsBench } from './xds-bench.js';

const benches: Record<string, () => Promise<unknown>> = {
  dns: () => runDnsBench(),
  kds: () => runKdsBench(),
  xds: () => runXdsBench(),
  store: () => runStoreBench(),
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!benches[name]) {
    process.stderr.write(`unknown bench "${name}"; choose from: ${Object.keys(benches).join(', ')}\n`);
    process.exit(2);
  }
}
for (const [name, run] of Object.entries(benches)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  await run();
}
