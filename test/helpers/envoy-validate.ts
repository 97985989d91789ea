/**
 * Test side of the Envoy resource checks (src/xds/envoy/validate.ts): the checks themselves, plus a
 * readable plain form (Envoy JSON style) for golden files.
 */
import { toEnvoyJson } from '../../src/xds/envoy/envoy-json.js';
import { decodeStrict } from '../../src/xds/envoy/validate.js';
import type { EncodedResource } from '../../src/xds/resource.js';

export { decodeStrict, validateMessage, validateResource, validateSet } from '../../src/xds/envoy/validate.js';

/** The resource as Envoy's JSON would show it, after a strict decode (see toEnvoyJson). */
export function toPlain(resource: EncodedResource): Record<string, unknown> {
  decodeStrict(resource.typeUrl, resource.bytes);
  return { '@type': resource.typeUrl, ...toEnvoyJson(resource.typeUrl, resource.bytes) };
}
