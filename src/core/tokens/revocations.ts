import type { ResourceManager } from '../manager/resource-manager.js';

/** A revocation list: a Secret or GlobalSecret whose data is a comma-separated list of token ids (`jti`). */
export interface RevocationList {
  readonly type: 'Secret' | 'GlobalSecret';
  readonly mesh: string;
  readonly name: string;
}

export async function isRevoked(manager: Pick<ResourceManager, 'find'>, list: RevocationList, jti: string): Promise<boolean> {
  const r = await manager.find(list.type, { name: list.name, mesh: list.mesh });
  if (!r) return false;
  const text = Buffer.from(r.spec.data, 'base64').toString('utf8').replace(/\n$/, '');
  return text.split(',').some((id) => id.trim() === jti);
}
