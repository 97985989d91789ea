/**
 * The one rule for zone names, applied to `multizone.remote.zone` in the config and to the name a zone
 * sends when it connects over KDS: a DNS label (zone names become name prefixes `<zone>.<name>` on the
 * global and appear in `kuma.io/zone` tags), so no dots, no upper case, at most 63 characters.
 */
const ZONE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const ZONE_NAME_RULE = "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit";

export function isValidZoneName(name: string): boolean {
  return ZONE_NAME.test(name);
}
