import { ChannelCredentials, type CallCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { enableTcpKeepalive, KEEPALIVE } from '../transport/keepalive.js';

/** The CP's HTTP/2 keepalive (see transport/keepalive.ts) as gRPC options, for its servers and its channels. */
export function grpcKeepaliveOptions(): ChannelOptions {
  return {
    'grpc.keepalive_time_ms': KEEPALIVE.http2PingIntervalMs,
    'grpc.keepalive_timeout_ms': KEEPALIVE.http2PingTimeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
  };
}

type SecureConnector = ReturnType<ChannelCredentials['_createSecureConnector']>;

/**
 * `credentials` whose connections also get the CP's TCP keepalive. grpc-js dials without SO_KEEPALIVE and has no
 * option for it; its connector hands every new TCP connection to the channel credentials before TLS, which is
 * where this turns it on. The servers' accepted connections get it in PortListener.
 */
export function withTcpKeepalive(credentials: ChannelCredentials): ChannelCredentials {
  return new TcpKeepaliveCredentials(credentials);
}

class TcpKeepaliveCredentials extends ChannelCredentials {
  constructor(private readonly inner: ChannelCredentials) {
    super();
  }

  override compose(callCredentials: CallCredentials): ChannelCredentials {
    return new TcpKeepaliveCredentials(this.inner.compose(callCredentials));
  }

  _isSecure(): boolean {
    return this.inner._isSecure();
  }

  _equals(other: ChannelCredentials): boolean {
    return other instanceof TcpKeepaliveCredentials && this.inner._equals(other.inner);
  }

  _createSecureConnector(...args: Parameters<ChannelCredentials['_createSecureConnector']>): SecureConnector {
    const connector = this.inner._createSecureConnector(...args);
    return {
      connect: (socket) => {
        enableTcpKeepalive(socket);
        return connector.connect(socket);
      },
      waitForReady: () => connector.waitForReady(),
      getCallCredentials: () => connector.getCallCredentials(),
      destroy: () => connector.destroy(),
    };
  }
}
