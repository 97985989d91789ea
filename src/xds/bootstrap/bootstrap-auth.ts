import type { IncomingHttpHeaders } from 'node:http';
import { UnauthenticatedError } from '../../core/errors.js';
import type { DataplaneSpec } from '../../core/resources/specs.js';
import type { Runtime } from '../../core/runtime/runtime.js';
import { authenticateDataplane } from '../../core/tokens/dataplane-token.js';
import { authenticateZoneIngress } from '../../core/tokens/zone-ingress-token.js';
import { MISSING_INGRESS_TOKEN, MISSING_TOKEN } from '../server/dp-auth.js';

/** The token of a `GET /bootstrap/grpc` request: header `authorization: <JWT>` (a `Bearer ` prefix is tolerated). */
export function headerToken(headers: IncomingHttpHeaders): string {
  return (headers['authorization'] ?? '').replace(/^Bearer\s+/, '').trim();
}

/**
 * With `dpServer.authn.dpProxy.type: dpToken` a bootstrap is served only for a valid token that matches the
 * proxy (stricter than Kuma, which checks only that one is present): the reason of a refusal, else undefined.
 */
/** The same for a zone ingress: a zone-ingress token of this control plane's zone. */
export async function ingressBootstrapRefusal(rt: Runtime, token: string | undefined): Promise<string | undefined> {
  if (rt.config.dpServer.authn.dpProxy.type === 'none') return undefined;
  if (!token) return MISSING_INGRESS_TOKEN;
  try {
    await authenticateZoneIngress(rt.manager, token, rt.config.mode === 'remote' ? rt.config.multizone.remote.zone : '');
    return undefined;
  } catch (err) {
    if (err instanceof UnauthenticatedError) return err.message;
    throw err;
  }
}

export async function bootstrapRefusal(rt: Runtime, token: string | undefined, proxy: { mesh: string; name: string; spec: DataplaneSpec | undefined }): Promise<string | undefined> {
  if (rt.config.dpServer.authn.dpProxy.type === 'none') return undefined;
  if (!token) return MISSING_TOKEN;
  try {
    await authenticateDataplane(rt.manager, token, { ...proxy, type: 'dataplane' });
    return undefined;
  } catch (err) {
    if (err instanceof UnauthenticatedError) return err.message;
    throw err;
  }
}
