import type { KdsMessage, ReceivedMessage } from './kds-proto.js';

/** What a KDS session needs of a gRPC bidi stream (server and client call objects both fit). */
export interface KdsStream {
  write(msg: KdsMessage): boolean;
  on(event: 'data', listener: (msg: ReceivedMessage) => void): unknown;
  on(event: 'end' | 'close' | 'drain', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
}
