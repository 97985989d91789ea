import type { Resource } from '../core/resources/model.js';
import type { AnyResource } from '../core/resources/typed-resource.js';
import { SERVICE_TAG, type AvailableService } from '../core/resources/specs.js';

interface Contribution {
  readonly service: string;
  /** Mesh the service is offered in; '' when an ingress does not say. */
  readonly mesh: string;
}

/**
 * Which `kuma.io/service` names need a VIP, kept up to date from store events:
 * Dataplane inbounds, ExternalServices, and the available services of zone ingresses (ZoneIngress
 * resources and 1.1-style ingress Dataplanes), the latter only while their mesh exists here.
 */
export class ServiceIndex {
  private readonly contributions = new Map<string, readonly Contribution[]>();
  /** service -> mesh -> number of contributing resources. */
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly meshes = new Set<string>();

  upsert(r: AnyResource): void {
    if (r.type === 'Mesh') {
      this.meshes.add(r.meta.name);
      return;
    }
    this.remove(r);
    const found = contributionsOf(r);
    if (found.length === 0) return;
    this.contributions.set(idOf(r), found);
    for (const c of found) {
      let byMesh = this.counts.get(c.service);
      if (!byMesh) this.counts.set(c.service, (byMesh = new Map<string, number>()));
      byMesh.set(c.mesh, (byMesh.get(c.mesh) ?? 0) + 1);
    }
  }

  remove(r: AnyResource): void {
    if (r.type === 'Mesh') {
      this.meshes.delete(r.meta.name);
      return;
    }
    const id = idOf(r);
    for (const c of this.contributions.get(id) ?? []) {
      const byMesh = this.counts.get(c.service);
      const n = (byMesh?.get(c.mesh) ?? 0) - 1;
      if (n > 0) byMesh?.set(c.mesh, n);
      else byMesh?.delete(c.mesh);
      if (byMesh?.size === 0) this.counts.delete(c.service);
    }
    this.contributions.delete(id);
  }

  /** Sorted service names offered in at least one existing mesh. */
  services(): string[] {
    const out: string[] = [];
    for (const [service, byMesh] of this.counts) {
      for (const mesh of byMesh.keys()) {
        if (mesh === '' || this.meshes.has(mesh)) {
          out.push(service);
          break;
        }
      }
    }
    return out.sort();
  }
}

const idOf = (r: Resource): string => `${r.type}\0${r.meta.mesh}\0${r.meta.name}`;

function contributionsOf(r: AnyResource): Contribution[] {
  switch (r.type) {
    case 'Dataplane': {
      const net = r.spec.networking;
      if (net.ingress) return fromAvailable(net.ingress.availableServices, r.meta.mesh);
      return (net.inbound ?? []).flatMap((inbound) => service(inbound.tags, r.meta.mesh));
    }
    case 'ExternalService':
      return service(r.spec.tags, r.meta.mesh);
    case 'ZoneIngress':
      return fromAvailable(r.spec.availableServices, '');
    default:
      return [];
  }
}

function fromAvailable(available: readonly AvailableService[] | undefined, defaultMesh: string): Contribution[] {
  return (available ?? []).flatMap((a) => service(a.tags, a.mesh ?? defaultMesh));
}

function service(tags: unknown, mesh: string): Contribution[] {
  const name = typeof tags === 'object' && tags !== null ? (tags as Record<string, unknown>)[SERVICE_TAG] : undefined;
  return typeof name === 'string' && name !== '' ? [{ service: name, mesh }] : [];
}
