import { readVarint } from '../../src/grpc/varint.js';

/**
 * Just enough protobuf wire reading for the bench client: the top-level fields of a DiscoveryResponse
 * (version, type, nonce, the number of resources; their Any values as views of the received buffer on
 * demand) without decoding or copying the resources, so that 2,000 simulated proxies cost the client little CPU.
 */
export interface ScannedResponse {
  readonly raw: Buffer;
  readonly versionInfo: string;
  readonly typeUrl: string;
  readonly nonce: string;
  /** Number of resources. */
  readonly count: number;
  /** The `value` of every resource Any (subarrays of `raw`), scanned on each call: most responses need only `count`. */
  resources(): Buffer[];
}

/**
 * Calls `onField(field, start, end)` for every length-delimited field of the message in buf[start, end),
 * until it returns true.
 */
function lengthDelimited(buf: Buffer, start: number, end: number, onField: (field: number, from: number, to: number) => boolean | void): void {
  let pos = start;
  while (pos < end) {
    const [tag, p] = readVarint(buf, pos);
    pos = p;
    const field = Math.floor(tag / 8);
    switch (tag & 7) {
      case 0:
        pos = readVarint(buf, pos)[1];
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        const [len, q] = readVarint(buf, pos);
        if (onField(field, q, q + len) === true) return;
        pos = q + len;
        break;
      }
      default:
        throw new Error(`unsupported wire type ${tag & 7}`);
    }
  }
}

export function scanResponse(raw: Buffer): ScannedResponse {
  let versionInfo = '';
  let typeUrl = '';
  let nonce = '';
  let count = 0;
  lengthDelimited(raw, 0, raw.length, (field, from, to) => {
    if (field === 1) versionInfo = raw.toString('utf8', from, to);
    else if (field === 4) typeUrl = raw.toString('utf8', from, to);
    else if (field === 5) nonce = raw.toString('utf8', from, to);
    else if (field === 2) count++;
  });
  const resources = (): Buffer[] => {
    const out: Buffer[] = [];
    lengthDelimited(raw, 0, raw.length, (field, from, to) => {
      if (field !== 2) return;
      // An Any: its value (field 2) follows its type_url.
      lengthDelimited(raw, from, to, (f, a, b) => {
        if (f !== 2) return false;
        out.push(raw.subarray(a, b));
        return true;
      });
    });
    return out;
  };
  return { raw, versionInfo, typeUrl, nonce, count, resources };
}

/** The first string field `field` of a message (e.g. a Cluster's or Listener's name, field 1); stops there. */
export function stringField(msg: Buffer, field: number): string {
  let out = '';
  lengthDelimited(msg, 0, msg.length, (f, a, b) => {
    if (f !== field) return false;
    out = msg.toString('utf8', a, b);
    return true;
  });
  return out;
}
