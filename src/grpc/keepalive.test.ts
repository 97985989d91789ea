import { Client, credentials, Server, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KEEPALIVE } from '../transport/keepalive.js';
import { withTcpKeepalive } from './keepalive.js';

let server: Server | undefined;
afterEach(() => {
  vi.restoreAllMocks();
  server?.forceShutdown();
  server = undefined;
});

async function startServer(): Promise<number> {
  const s = new Server();
  server = s;
  return new Promise((resolve, reject) => s.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
}

/** Dials the server with `creds` (plaintext) and returns the setKeepAlive calls made on the dialed socket (the one whose remote port is the server's). */
async function keepaliveCallsOnDial(creds: ChannelCredentials): Promise<unknown[][]> {
  const port = await startServer();
  // Calls through; records each call's socket (`this`) and arguments.
  const spy = vi.spyOn(Socket.prototype, 'setKeepAlive');
  const client = new Client(`127.0.0.1:${port}`, creds);
  try {
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 5_000, (err) => (err ? reject(err) : resolve())));
  } finally {
    client.close();
  }
  return spy.mock.calls.filter((_, i) => (spy.mock.contexts[i] as Socket).remotePort === port);
}

describe('withTcpKeepalive', () => {
  it('turns TCP keepalive on, with the CP idle time, on the socket a plaintext grpc-js channel dials', async () => {
    expect(await keepaliveCallsOnDial(withTcpKeepalive(credentials.createInsecure()))).toEqual([[true, KEEPALIVE.tcpIdleMs]]);
  });

  it('without it, grpc-js dials without keepalive (what the wrapper is for)', async () => {
    expect(await keepaliveCallsOnDial(credentials.createInsecure())).toEqual([]);
  });
});
