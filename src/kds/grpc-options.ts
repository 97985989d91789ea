import type { ChannelOptions } from '@grpc/grpc-js';

/**
 * Channel/server options shared by both ends: message limits from config, keepalive to notice dead peers.
 * The global pings more often than a zone does (5 s, 5 s to answer), so a zone that died without closing its
 * connection shows as disconnected in `/status/zones` within about 10 s instead of 25 s.
 */
export function kdsChannelOptions(maxMsgSize: number, side: 'global' | 'zone'): ChannelOptions {
  return {
    'grpc.max_receive_message_length': maxMsgSize,
    'grpc.max_send_message_length': maxMsgSize,
    'grpc.keepalive_time_ms': side === 'global' ? 5_000 : 15_000,
    'grpc.keepalive_timeout_ms': side === 'global' ? 5_000 : 10_000,
    'grpc.keepalive_permit_without_calls': 1,
  };
}
