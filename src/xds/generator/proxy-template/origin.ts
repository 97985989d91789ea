import { names } from '../../envoy/names.js';
import { TYPE_URLS } from '../../resource.js';

/** Kuma's generator origins, which a modification's `match.origin` selects by. */
export const ORIGINS = {
  inbound: 'inbound',
  outbound: 'outbound',
  transparent: 'transparent',
  probe: 'probe',
  prometheus: 'prometheus',
  admin: 'admin',
  dns: 'dns',
  tracing: 'tracing',
  secrets: 'secrets',
  raw: 'proxy-template-raw',
  modifications: 'proxy-template-modifications',
} as const;

const BY_NAME: ReadonlyMap<string, string> = new Map([
  [names.inboundPassthrough, ORIGINS.transparent],
  [names.outboundPassthrough, ORIGINS.transparent],
  [names.probeListener, ORIGINS.probe],
  ['kuma:metrics:prometheus', ORIGINS.prometheus],
  ['kuma:envoy:admin', ORIGINS.admin],
  ['kuma:dns', ORIGINS.dns],
]);

/**
 * The origin of a generated resource, read from Kuma's resource names (generators here do not tag their
 * output): `inbound:*` listeners and routes and `localhost:*` clusters are `inbound`, the passthrough pair is
 * `transparent`, `probe:listener` is `probe`, `tracing:*` clusters are `tracing`, secrets are `secrets`,
 * everything else (outbound listeners, routes, service clusters and their endpoints) is `outbound`.
 */
export function originOf(typeUrl: string, name: string): string {
  const known = BY_NAME.get(name);
  if (known) return known;
  if (name.startsWith('tracing:')) return ORIGINS.tracing;
  switch (typeUrl) {
    case TYPE_URLS.secret:
      return ORIGINS.secrets;
    case TYPE_URLS.cluster:
      return name.startsWith('localhost:') ? ORIGINS.inbound : ORIGINS.outbound;
    case TYPE_URLS.listener:
    case TYPE_URLS.routeConfiguration:
      return name.startsWith('inbound:') ? ORIGINS.inbound : ORIGINS.outbound;
    default:
      return ORIGINS.outbound;
  }
}
