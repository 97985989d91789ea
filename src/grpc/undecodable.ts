import { errorMessage } from '../core/errors.js';
import { clip } from '../core/clip.js';

const UNDECODABLE = Symbol('undecodable');

/** A request message that failed to decode, handed to the handler instead of grpc-js's fixed INTERNAL status. */
export interface Undecodable {
  readonly [UNDECODABLE]: string;
}

/**
 * Wraps a request deserializer so that bytes that are not the message become an `Undecodable` marker: the
 * handler then ends the call with INVALID_ARGUMENT (grpc-js itself would answer INTERNAL, blaming the server).
 * Request messages have only optional fields, so the marker fits the request type.
 */
export function tolerantDeserializer<T extends object>(decode: (bytes: Buffer) => T): (bytes: Buffer) => T | Undecodable {
  return (bytes) => {
    try {
      return decode(bytes);
    } catch (err) {
      return { [UNDECODABLE]: clip(errorMessage(err), 200) };
    }
  };
}

/** Why a message could not be decoded, or undefined for a decoded one. */
export function undecodableReason(message: unknown): string | undefined {
  return typeof message === 'object' && message !== null && UNDECODABLE in message ? (message as Undecodable)[UNDECODABLE] : undefined;
}
