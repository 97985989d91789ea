import { hostname } from 'node:os';
import type { ApiDeps, Endpoint } from './endpoint.js';
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

/** `GET /` (who am I), `GET /config` (effective configuration), `GET /versions`. */
export function addIndexRoutes(router: Router<Endpoint>, { rt }: ApiDeps): void {
  const title = 'Could not retrieve a resource';
  router.add('GET', '/', { title, handle: async () => ({ status: 200, json: { hostname: hostname(), tagline: 'Kuma', version: packageVersion() } }) });
  router.add('GET', '/config', { title, handle: async () => ({ status: 200, json: rt.config }) });
  router.add('GET', '/versions', { title, handle: async () => ({ status: 200, json: SUPPORTED_VERSIONS }) });
}
