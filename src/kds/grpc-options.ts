import type { ChannelOptions } from '@grpc/grpc-js';
import { grpcKeepaliveOptions } from '../grpc/keepalive.js';

/**
 * Channel/server options of both ends: message limits from config, and the CP's keepalive
 * (transport/keepalive.ts). A zone that died without closing its connection is found by TCP keepalive
 * (the global's accepted connections, the zone's dialed one); the HTTP/2 PING is slow on purpose, so a zone
 * busy applying a large sync, or still reading what the global wrote, keeps its stream.
 */
export function kdsChannelOptions(maxMsgSize: number): ChannelOptions {
  return {
    'grpc.max_receive_message_length': maxMsgSize,
    'grpc.max_send_message_length': maxMsgSize,
    ...grpcKeepaliveOptions(),
  };
}
