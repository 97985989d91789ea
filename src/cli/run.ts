import { setMaxListeners } from 'node:events';
import { loadConfig, type ConfigOverrides } from '../config/load.js';
import { redactConfig } from '../config/redact.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { configureLogging, logger } from '../core/logging.js';
import { buildRuntime } from '../core/runtime/bootstrap.js';
import { ComponentManager } from '../core/runtime/component-manager.js';
import { componentsFor } from '../modes.js';
import { createCoordination, createStore } from '../plugins/store/create-store.js';
import { exportLeaderGauge } from '../core/runtime/leadership.js';
import { newInstanceId } from '../core/runtime/instance-id.js';
import { packageVersion } from '../core/version.js';
import { untilAborted } from '../core/runtime/abort.js';
import { loadCpTls } from '../transport/cp-tls.js';

const SHUTDOWN_GRACE_MS = 5000;

/** `kuma-cp run`: load config, build the runtime, start the mode's components, stop cleanly on a signal. */
export async function runCommand(file: string | undefined, overrides: ConfigOverrides): Promise<number> {
  let config;
  try {
    config = loadConfig({ ...(file ? { file } : {}), env: process.env, overrides });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kuma-cp: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  configureLogging(config.logLevel, undefined, config.logFormat || (process.stdout.isTTY ? 'text' : 'json'));
  const log = logger('kuma-cp');
  log.info({ version: packageVersion(), mode: config.mode, config: redactConfig(config) }, 'starting kuma-cp with effective config');

  let tls;
  try {
    tls = await loadCpTls(config, log);
  } catch (err) {
    log.error({ err: errorMessage(err) }, 'cannot load the TLS certificate');
    process.stderr.write(`kuma-cp: ${errorMessage(err)}\n`);
    return 1;
  }
  const instanceId = newInstanceId();
  let store;
  try {
    store = await createStore(config, instanceId, logger);
  } catch (err) {
    log.error({ err: errorMessage(err) }, 'cannot open the store');
    process.stderr.write(`kuma-cp: ${errorMessage(err)}\n`);
    return 1;
  }
  const coordination = createCoordination(config, instanceId, logger);
  const rt = buildRuntime(config, store, { instanceId, ...(coordination.instances ? { instances: coordination.instances } : {}), ...(tls ? { tls } : {}) });
  const abort = new AbortController();
  // Every component and every open stream listens for the one stop signal.
  setMaxListeners(0, abort.signal);
  await coordination.start();
  const unexportLeader = exportLeaderGauge(coordination.leadership, rt.metrics);
  const supervisor = new ComponentManager(coordination.leadership, rt.logger('runtime'));
  supervisor.add(componentsFor(rt, supervisor));

  let signalled = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signalled) return;
    signalled = true;
    log.info({ signal: sig }, 'stopping');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let code = 0;
  try {
    await supervisor.start(abort.signal);
    log.info({ mode: config.mode, instanceId: rt.instanceId, components: supervisor.names() }, 'kuma-cp is ready');
  } catch (err) {
    log.error({ err: errorMessage(err) }, 'start failed');
    process.stderr.write(`kuma-cp: ${errorMessage(err)}\n`);
    code = 1;
    abort.abort();
  }
  await untilAborted(abort.signal);
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), SHUTDOWN_GRACE_MS).unref());
  if ((await Promise.race([supervisor.stopped().then(() => 'ok' as const), timeout])) === 'timeout') {
    log.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'components did not stop in time');
  }
  // Released after the leader-only components stopped, so the next leader never overlaps with them.
  await coordination.stop();
  unexportLeader();
  await rt.certificateSigner.close();
  await store.close();
  log.info({ code }, 'stopped');
  return code;
}
