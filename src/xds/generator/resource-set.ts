import { PUSH_ORDER, type EncodedResource } from '../resource.js';

/** Collects one proxy's resources; the first resource of a (type, name) wins, output is in push order. */
export class ResourceSet {
  private readonly byKey = new Map<string, EncodedResource>();

  add(resource: EncodedResource): void {
    const key = `${resource.typeUrl}\n${resource.name}`;
    if (!this.byKey.has(key)) this.byKey.set(key, resource);
  }

  has(typeUrl: string, name: string): boolean {
    return this.byKey.has(`${typeUrl}\n${name}`);
  }

  toArray(): EncodedResource[] {
    return [...this.byKey.values()].sort(
      (a, b) => PUSH_ORDER.indexOf(a.typeUrl) - PUSH_ORDER.indexOf(b.typeUrl) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  }
}
