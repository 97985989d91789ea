import { resourceTypes, type ResourceTypeDescriptor } from '../core/resources/registry.js';
import { usageError } from './kumactl-error.js';

/** `TrafficRoute` -> `traffic-route`. */
const kebab = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** Types a user may name on the command line: everything the API serves except internal rows. */
const userTypes = resourceTypes.filter((t) => t.name !== 'VirtualIP');

interface Kind {
  readonly descriptor: ResourceTypeDescriptor;
  readonly plural: boolean;
}

const words: ReadonlyMap<string, Kind> = new Map(
  userTypes.flatMap((t) => {
    const singular = kebab(t.name);
    return [
      ...[singular, t.name.toLowerCase()].map((w): [string, Kind] => [w, { descriptor: t, plural: false }]),
      ...[t.path, `${singular}s`, `${t.name.toLowerCase()}s`, t.path.replace(/^zoneingress/, 'zone-ingress')].map((w): [string, Kind] => [w, { descriptor: t, plural: true }]),
    ];
  }),
);

/** `dataplane`, `dataplanes`, `traffic-route`, `trafficroutes`, `proxytemplates`... -> the type. */
export function kindOf(word: string): Kind {
  const kind = words.get(word.toLowerCase());
  if (!kind) throw usageError(`unknown resource type "${word}"; one of: ${userTypes.map((t) => t.path).join(', ')}`);
  return kind;
}

export function typeByName(name: unknown): ResourceTypeDescriptor | undefined {
  return userTypes.find((t) => t.name === name);
}

/** The API path of one resource or of a list. */
export function resourcePath(t: ResourceTypeDescriptor, mesh: string, name?: string): string {
  const base = t.scope === 'mesh' ? `meshes/${encodeURIComponent(mesh)}/${t.path}` : t.path;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}
