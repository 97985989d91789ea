import type { Config } from '../../config/schema.js';
import { logger, type Logger } from '../logging.js';
import { Metrics } from '../metrics.js';
import { DefaultResourceManager } from '../manager/manager-impl.js';
import type { ResourceStore } from '../store/resource-store.js';
import { StoreView } from '../view/store-view.js';
import { meshCaHooks } from '../../mtls/mesh-ca-hooks.js';
import type { InstanceRegistry } from './instance-registry.js';
import { newInstanceId } from './instance-id.js';
import type { Runtime } from './runtime.js';
import { connectionLimits } from '../../transport/connection-guard.js';
import { createConnectionMetrics } from '../../transport/connection-metrics.js';
import type { CpTls } from '../../transport/cp-tls.js';
import type { CertificateSigner } from '../../mtls/certificate-signer.js';
import { SigningPool } from '../../mtls/signing-pool.js';

export interface RuntimeOptions {
  /** Default: `<hostname>-<pid>-<random>`. */
  readonly instanceId?: string;
  /** The instances sharing the store (Postgres); absent = this process is the only one. */
  readonly instances?: InstanceRegistry;
  /** Create each new mesh's default policies; default: every mode but remote. */
  readonly meshDefaults?: boolean;
  /** The certificate this instance's ports present (absent: plaintext only, in-process tests). */
  readonly tls?: CpTls;
  /** This control plane's root logger; default: the process's (configured by the CLI). */
  readonly log?: Logger;
  /** Default: a SigningPool of worker threads (none started until the first certificate). */
  readonly certificateSigner?: CertificateSigner;
}

/** Builds the runtime from a config and an opened store. Starts nothing (the view starts when a component first awaits it). */
export function buildRuntime(config: Config, store: ResourceStore, options: RuntimeOptions = {}): Runtime {
  const root = options.log;
  const named = (component: string): Logger => (root ? root.child({ component }) : logger(component));
  const metrics = new Metrics();
  return {
    config,
    instanceId: options.instanceId ?? newInstanceId(),
    ...(options.instances ? { instances: options.instances } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    store,
    connections: connectionLimits(config, named('connections'), metrics.of(createConnectionMetrics)),
    // A remote CP receives its meshes and their policies from the global: it never creates defaults.
    // The mesh CA rules apply to user writes; synced ones (a zone's meshes and CA Secrets) bypass them.
    manager: new DefaultResourceManager(store, { meshDefaults: options.meshDefaults ?? config.mode !== 'remote', hooks: meshCaHooks(store, named('mesh-ca')) }),
    view: new StoreView(store, named('store-view')),
    metrics,
    logger: named,
    certificateSigner: options.certificateSigner ?? new SigningPool({ log: named('certificate-signing') }),
  };
}
