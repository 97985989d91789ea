import { AlreadyConnectedError } from '../../core/errors.js';

interface Claim {
  readonly peer: string;
  readonly since: string;
  readonly evict: ((reason: string) => void) | undefined;
}

/**
 * Zones with a live stream on this global instance. A second stream claiming the same zone while the
 * first lives either replaces it (streams authenticated by a zone token pass `evict`: the newcomer proved
 * it is the zone, so the old stream is a stale connection of its own) or, without authentication, is
 * refused (first come wins): two remotes configured with one zone name must not overwrite each other's resources.
 */
export class ConnectedZones {
  private readonly claims = new Map<string, Claim>();

  constructor(private readonly instanceId: string) {}

  claim(zone: string, peer: string, evict?: (reason: string) => void): () => void {
    const existing = this.claims.get(zone);
    if (existing && evict && existing.evict) {
      existing.evict(`replaced by a new authenticated stream of zone ${zone} from peer ${peer}`);
    } else if (existing) {
      throw new AlreadyConnectedError(
        `zone ${zone} is already connected from instance ${this.instanceId} / peer ${existing.peer} (since ${existing.since}); refusing the stream from ${peer}`,
      );
    }
    const mine: Claim = { peer, since: new Date().toISOString(), evict };
    this.claims.set(zone, mine);
    return () => {
      if (this.claims.get(zone) === mine) this.claims.delete(zone);
    };
  }

  get size(): number {
    return this.claims.size;
  }
}
