import { BadRequestError } from '../../core/errors.js';
import { clip } from '../../core/clip.js';

/** Longest resource name a stream may subscribe to (Kuma's names are a few hundred bytes at most). */
export const MAX_RESOURCE_NAME_LENGTH = 4096;
/** Total length of the names one stream holds subscribed, over all its types. */
export const MAX_SUBSCRIBED_NAME_BYTES = 4 * 1024 * 1024;

/**
 * What one ADS stream may keep of peer-chosen names: each name is bounded and so is their sum, so a stream
 * cannot make the CP hold more than a few MB however it subscribes. Over the limit, the request is refused
 * (INVALID_ARGUMENT ends the stream) and nothing of it is kept.
 */
export class NameBudget {
  private used = 0;

  constructor(private readonly limit = MAX_SUBSCRIBED_NAME_BYTES) {}

  get bytes(): number {
    return this.used;
  }

  /** Throws for a name over MAX_RESOURCE_NAME_LENGTH; returns its cost. */
  static cost(name: string): number {
    if (name.length > MAX_RESOURCE_NAME_LENGTH) {
      throw new BadRequestError(`resource name of ${name.length} bytes is longer than ${MAX_RESOURCE_NAME_LENGTH}: "${clip(name, 64)}"`);
    }
    return name.length;
  }

  /** Takes `bytes` more (negative gives back); throws, taking nothing, when the sum would pass the limit. */
  adjust(bytes: number): void {
    if (this.used + bytes > this.limit) {
      throw new BadRequestError(`subscribed resource names would take ${this.used + bytes} bytes on one stream, more than ${this.limit}`);
    }
    this.used = Math.max(0, this.used + bytes);
  }
}
