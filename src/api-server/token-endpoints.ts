import { BadRequestError } from '../core/errors.js';
import { issueDataplaneToken } from '../core/tokens/dataplane-token.js';
import { issueUserToken } from '../core/tokens/user-token.js';
import { issueZoneIngressToken } from '../core/tokens/zone-ingress-token.js';
import { issueZoneToken } from '../core/tokens/zone-token.js';
import { assertAdmin } from './authn.js';
import type { ApiDeps, ApiRequest, Endpoint, Reply } from './endpoint.js';
import type { Router } from './router.js';

const token = (text: string): Reply => ({ status: 200, text, headers: { 'content-type': 'text/plain' } });

/**
 * Kuma 2.x token issuing, admin-only, answering the raw JWT as text/plain:
 * `POST /tokens/dataplane` `{name, mesh, tags, type, validFor}` (on the CP the data plane connects to: its
 * signing keys never leave it), `POST /tokens/zone` `{zone, scope, validFor}` (global or standalone) and
 * `POST /tokens/zone-ingress` `{zone, validFor}` (on the zone CP the ingress connects to) and
 * `POST /tokens/user` `{name, groups, validFor}`.
 */
export function addTokenRoutes(router: Router<Endpoint>, { rt, log }: ApiDeps): void {
  const title = 'Could not issue a token';
  router.add('POST', '/tokens/dataplane', {
    title,
    handle: async (req: ApiRequest) => {
      assertAdmin(req.user, 'generate dataplane token');
      if (rt.config.mode === 'global') {
        throw new BadRequestError('data-plane tokens are issued by the zone control plane the data plane connects to: its signing keys never leave it');
      }
      const body = await req.body();
      const jwt = await issueDataplaneToken(rt.manager, body);
      log.info({ user: req.user.name, mesh: (body as { mesh?: unknown }).mesh, name: (body as { name?: unknown }).name }, 'issued dataplane token');
      return token(jwt);
    },
  });
  router.add('POST', '/tokens/zone', {
    title,
    handle: async (req: ApiRequest) => {
      assertAdmin(req.user, 'generate zone token');
      if (rt.config.mode === 'remote') throw new BadRequestError('zone tokens are issued by the global control plane');
      const body = await req.body();
      const jwt = await issueZoneToken(rt.manager, body);
      log.info({ user: req.user.name, zone: (body as { zone?: unknown }).zone }, 'issued zone token');
      return token(jwt);
    },
  });
  router.add('POST', '/tokens/zone-ingress', {
    title,
    handle: async (req: ApiRequest) => {
      assertAdmin(req.user, 'generate zone ingress token');
      if (rt.config.mode === 'global') throw new BadRequestError('zone-ingress tokens are issued by the zone control plane the ingress connects to: its signing keys never leave it');
      const body = await req.body();
      const localZone = rt.config.mode === 'remote' ? rt.config.multizone.remote.zone : '';
      const jwt = await issueZoneIngressToken(rt.manager, body, localZone);
      log.info({ user: req.user.name, zone: localZone }, 'issued zone ingress token');
      return token(jwt);
    },
  });
  router.add('POST', '/tokens/user', {
    title,
    handle: async (req: ApiRequest) => {
      assertAdmin(req.user, 'generate user token');
      const body = await req.body();
      const jwt = await issueUserToken(rt.manager, body);
      log.info({ user: req.user.name, name: (body as { name?: unknown }).name }, 'issued user token');
      return token(jwt);
    },
  });
}
