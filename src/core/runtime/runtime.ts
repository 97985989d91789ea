import type { Config } from '../../config/schema.js';
import type { ResourceManager } from '../manager/resource-manager.js';
import type { ResourceStore } from '../store/resource-store.js';
import type { InstanceRegistry } from './instance-registry.js';
import type { CpTls } from '../../transport/cp-tls.js';

/**
 * What every subsystem gets: the effective config, the store (reads and change events) and the manager
 * (validated writes). Built once by core/runtime/bootstrap.ts.
 *
 * Servers log exactly one line when bound: `log.info({ server, address, port }, 'listening')` with
 * server one of api-server | dp-server | bootstrap-server | dns-udp | dns-tcp | kds-server | diagnostics.
 * With port 0 in the config this line is how operators and tests learn the real port.
 */
export interface Runtime {
  readonly config: Config;
  /** Unique per process: `<hostname>-<pid>-<random>`. */
  readonly instanceId: string;
  readonly store: ResourceStore;
  readonly manager: ResourceManager;
  /** The instances sharing the store (Postgres); absent = this process is the only one (SQLite, memory, tests). */
  readonly instances?: InstanceRegistry;
  /** The certificate of every TLS port (loaded or generated at start); absent = plaintext only (in-process tests). */
  readonly tls?: CpTls;
}
