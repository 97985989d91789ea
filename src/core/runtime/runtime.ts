import type { Config } from '../../config/schema.js';
import type { ResourceManager } from '../manager/resource-manager.js';
import type { ResourceStore } from '../store/resource-store.js';
import type { Logger } from '../logging.js';
import type { Metrics } from '../metrics.js';
import type { StoreView } from '../view/store-view.js';
import type { InstanceRegistry } from './instance-registry.js';
import type { ConnectionLimits } from '../../transport/connection-guard.js';
import type { CpTls } from '../../transport/cp-tls.js';
import type { CertificateSigner } from '../../mtls/certificate-signer.js';

/**
 * What every subsystem gets: the effective config, the store, the manager (validated writes) and the
 * view: the one watched copy of the store every consumer reads and follows (`await view.start()` first;
 * nothing but the view subscribes to the store). Built once by core/runtime/bootstrap.ts.
 *
 * Servers log exactly one line when bound: `log.info({ server, address, port }, 'listening')` with
 * server one of api-server | dp-server | bootstrap-server | dns-udp | dns-tcp | kds-server | diagnostics | mads-server.
 * With port 0 in the config this line is how operators and tests learn the real port.
 */
export interface Runtime {
  readonly config: Config;
  /** Unique per process: `<hostname>-<pid>-<random>`. */
  readonly instanceId: string;
  readonly store: ResourceStore;
  readonly manager: ResourceManager;
  readonly view: StoreView;
  /** This control plane's metrics registry and metric sets (never shared with another runtime in the process). */
  readonly metrics: Metrics;
  /** A named child logger of this control plane's root logger (`{component}` on every line). */
  logger(component: string): Logger;
  /** The instances sharing the store (Postgres); absent = this process is the only one (SQLite, memory, tests). */
  readonly instances?: InstanceRegistry;
  /** The certificate of every TLS port (loaded or generated at start); absent = plaintext only (in-process tests). */
  readonly tls?: CpTls;
  /** The caps every listening port applies, with the one connection budget all ports share (from RLIMIT_NOFILE). */
  readonly connections: ConnectionLimits;
  /** Signs workload certificates off the event loop (worker threads started on first use); closed when the process stops. */
  readonly certificateSigner: CertificateSigner;
}
