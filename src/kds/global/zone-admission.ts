import { AlreadyExistsError, BadRequestError, PreconditionFailedError } from '../../core/errors.js';
import type { ResourceManager } from '../../core/manager/resource-manager.js';
import type { ZoneSpec } from '../../core/resources/specs.js';
import { isValidZoneName, ZONE_NAME_RULE } from '../../core/resources/zone-name.js';



export function checkZoneName(zone: string | undefined): string {
  if (!zone) throw new BadRequestError("'client-id' is not present in metadata: a zone must send its zone name");
  if (!isValidZoneName(zone)) {
    throw new BadRequestError(`invalid zone name "${zone}": ${ZONE_NAME_RULE}`);
  }
  return zone;
}

/** Creates the Zone on first connect (`enabled: true`); refuses a disabled zone. */
export async function admitZone(manager: ResourceManager, zone: string): Promise<{ created: boolean }> {
  const key = { name: zone, mesh: '' };
  let existing = await manager.find('Zone', key);
  let created = false;
  if (!existing) {
    try {
      await manager.create('Zone', key, { enabled: true } satisfies ZoneSpec);
      created = true;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
    existing = await manager.find('Zone', key);
  }
  if (isDisabled(existing?.spec)) throw new PreconditionFailedError(`zone ${zone} is disabled`);
  return { created };
}

export function isDisabled(spec: ZoneSpec | undefined): boolean {
  return spec?.enabled === false;
}
