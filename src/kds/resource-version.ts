import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/**
 * The KDS version of a resource: a content hash of its canonical spec JSON and exported labels. Both ends
 * compute it the same way from the same content, so it survives restarts and store-local version counters.
 */
export function resourceVersion(spec: unknown, labels: Readonly<Record<string, string>>): string {
  return createHash('sha256')
    .update(canonicalJson({ labels, spec }))
    .digest('base64url')
    .slice(0, 22);
}
