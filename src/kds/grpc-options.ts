import type { ChannelOptions } from '@grpc/grpc-js';

/** Channel/server options shared by both ends: message limits from config, keepalive to notice dead peers. */
export function kdsChannelOptions(maxMsgSize: number): ChannelOptions {
  return {
    'grpc.max_receive_message_length': maxMsgSize,
    'grpc.max_send_message_length': maxMsgSize,
    'grpc.keepalive_time_ms': 15_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
  };
}
