import type { Logger } from '../../core/logging.js';
import { noteKey, type NoEffectNote } from './inbound-http-policies.js';

/**
 * Logs, once while it lasts, each FaultInjection/RateLimit that selects an inbound it cannot act on: the
 * notes of the mesh's previous snapshot were logged already, so only new ones are. Without a logger (goldens,
 * dry runs) nothing is logged.
 */
export function reportNoEffect(mesh: string, notes: readonly NoEffectNote[], previous: readonly NoEffectNote[], log: Logger | undefined): void {
  if (notes.length === 0 || !log) return;
  const known = new Set(previous.map(noteKey));
  for (const n of notes) {
    if (known.has(noteKey(n))) continue;
    log.warn(
      { mesh, dataplane: n.dataplane, inbound: n.inbound, policyType: n.type, policy: n.policy, reason: n.reason },
      `${n.type} "${n.policy}" has no effect on data plane ${mesh}/${n.dataplane} (${n.inbound}): ${n.reason}`,
    );
  }
}
