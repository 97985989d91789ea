import { hostname } from 'node:os';
import { redactConfig } from '../config/redact.js';
import { isAdmin, type User } from '../core/tokens/user-token.js';
import type { ApiDeps, Endpoint } from './endpoint.js';
import { policyTypes as POLICY_TYPES } from '../core/resources/registry.js';
import { typeDescriptor } from '../core/resources/registry.js';
import { packageVersion } from '../core/version.js';
import type { Router } from './router.js';

/** Kuma 1.1's static `GET /versions`: which Envoy each kuma-dp version is tested with. */
export const SUPPORTED_VERSIONS = {
  kumaDp: {
    '1.0.0': { envoy: '1.16.0' },
    '1.0.1': { envoy: '1.16.0' },
    '1.0.2': { envoy: '1.16.1' },
    '1.0.3': { envoy: '1.16.1' },
    '1.0.4': { envoy: '1.16.1' },
    '1.0.5': { envoy: '1.16.2' },
    '1.0.6': { envoy: '1.16.2' },
    '1.0.7': { envoy: '1.16.2' },
    '1.0.8': { envoy: '1.16.2' },
    '~1.1.0': { envoy: '~1.17.0' },
  },
} as const;

/** Kuma 2.x's `GET /policies`: the policy types and their REST paths (the GUI lists a mesh's policies with it). */
const POLICY_LIST = { policies: POLICY_TYPES.map((t) => ({ name: t, path: typeDescriptor(t).path, readOnly: false }) as const) } as const;

/**
 * `GET /config`: the whole effective configuration, secrets masked, for the admin group; other callers get
 * only the control-plane metadata the GUI shows (mode and zone): interfaces, file paths, store hosts and
 * users are an attacker's map of the deployment.
 */
function controlPlaneConfig(rt: ApiDeps['rt'], user: User): unknown {
  if (isAdmin(user)) return redactConfig(rt.config);
  return { mode: rt.config.mode, multizone: { remote: { zone: rt.config.multizone.remote.zone } } };
}

/** `GET /` (who am I), `GET /config` (effective configuration), `GET /versions`, `GET /policies`. */
export function addIndexRoutes(router: Router<Endpoint>, { rt }: ApiDeps): void {
  const title = 'Could not retrieve a resource';
  router.add('GET', '/', { title, handle: () => Promise.resolve({ status: 200, json: { hostname: hostname(), tagline: 'Kuma', version: packageVersion() } }) });
  router.add('GET', '/config', { title, handle: (req) => Promise.resolve({ status: 200, json: controlPlaneConfig(rt, req.user) }) });
  router.add('GET', '/versions', { title, handle: () => Promise.resolve({ status: 200, json: SUPPORTED_VERSIONS }) });
  router.add('GET', '/policies', { title, handle: () => Promise.resolve({ status: 200, json: POLICY_LIST }) });
}
