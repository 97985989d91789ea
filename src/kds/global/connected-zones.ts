import { status } from '@grpc/grpc-js';
import { KdsRefusal } from './zone-admission.js';

interface Claim {
  readonly peer: string;
  readonly since: string;
}

/**
 * Zones with a live stream on this global instance. A second stream claiming the same zone while the
 * first lives is refused (first come wins): two remotes configured with one zone name must not overwrite
 * each other's resources.
 */
export class ConnectedZones {
  private readonly claims = new Map<string, Claim>();

  constructor(private readonly instanceId: string) {}

  claim(zone: string, peer: string): () => void {
    const existing = this.claims.get(zone);
    if (existing) {
      throw new KdsRefusal(
        status.ALREADY_EXISTS,
        `zone ${zone} is already connected from instance ${this.instanceId} / peer ${existing.peer} (since ${existing.since}); refusing the stream from ${peer}`,
      );
    }
    const mine: Claim = { peer, since: new Date().toISOString() };
    this.claims.set(zone, mine);
    return () => {
      if (this.claims.get(zone) === mine) this.claims.delete(zone);
    };
  }

  get size(): number {
    return this.claims.size;
  }
}
