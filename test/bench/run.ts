/**
 * `npm run bench`: every bench against the built daemon, each printing its table and one JSON line per
 * figure (with the ratio to a baseline measured in the same run on the same machine).
 * `npm run bench -- xds [flags]` runs one; flags (sizes) are listed in each bench's header comment.
 */
import { runApiBench } from './api-bench.js';
import { runDnsBench } from './dns-bench.js';
import { parseFlags } from './flags.js';
import { runKdsBench } from './kds-bench.js';
import { mtlsOptions, runMtlsBench } from './mtls-bench.js';
import { runStoreBench } from './store-bench.js';
import { runXdsBench, xdsOptions } from './xds-bench.js';

const flags = parseFlags(process.argv.slice(2));

const benches: Record<string, () => Promise<unknown>> = {
  dns: () => {
    const seconds = flags.number('seconds');
    const services = flags.number('dns-services');
    return runDnsBench({ ...(seconds ? { seconds } : {}), ...(services ? { services } : {}) });
  },
  kds: () => {
    const policies = flags.number('policies');
    const dataplanes = flags.number('dataplanes');
    const proxies = flags.number('kds-proxies');
    const cpMain = flags.string('cp-main');
    return runKdsBench({
      ...(policies ? { policies } : {}),
      ...(dataplanes ? { dataplanes } : {}),
      ...(proxies ? { proxies } : {}),
      ...(cpMain ? { cpMain } : {}),
      profile: flags.has('profile'),
    });
  },
  xds: () => runXdsBench(xdsOptions(flags)),
  mtls: () => runMtlsBench(mtlsOptions(flags)),
  store: () => runStoreBench(),
  api: () => {
    const seconds = flags.number('api-seconds');
    const concurrency = flags.number('api-concurrency');
    return runApiBench({ ...(seconds ? { seconds } : {}), ...(concurrency ? { concurrency } : {}) });
  },
};

for (const name of flags.names) {
  if (!benches[name]) {
    process.stderr.write(`unknown bench "${name}"; choose from: ${Object.keys(benches).join(', ')}\n`);
    process.exit(2);
  }
}
for (const [name, run] of Object.entries(benches)) {
  if (flags.names.length > 0 && !flags.names.includes(name)) continue;
  await run();
}
