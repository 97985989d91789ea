import { UnauthenticatedError } from '../../core/errors.js';
import type { ResourceManager } from '../../core/manager/resource-manager.js';
import { authenticateZone } from '../../core/tokens/zone-token.js';

/** gRPC metadata that carries a zone CP's zone token (the raw JWT, as data planes send theirs). */
export const ZONE_TOKEN_METADATA = 'authorization';

/**
 * `multizone.global.kds.auth.type: zoneToken`: before anything is created or claimed for `zone`, the stream
 * must carry one valid zone token with scope `cp` naming exactly that zone (UNAUTHENTICATED otherwise).
 */
export async function authenticateZoneStream(manager: ResourceManager, type: 'zoneToken' | 'none', zone: string, tokens: readonly string[]): Promise<void> {
  if (type === 'none') return;
  if (tokens.length > 1) throw new UnauthenticatedError(`more than one "${ZONE_TOKEN_METADATA}" metadata value`);
  const token = tokens[0] ?? '';
  if (token === '') {
    throw new UnauthenticatedError(`no zone token: a zone control plane must send one in "${ZONE_TOKEN_METADATA}" metadata (issue it on the global with POST /tokens/zone, scope cp)`);
  }
  await authenticateZone(manager, token, zone);
}
