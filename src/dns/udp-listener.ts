import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from '../core/logging.js';
import { BindError } from '../core/runtime/listen.js';
import type { Listener, QueryHandler } from './query-handler.js';

/** Binds a UDP socket and answers each datagram. Resolves once bound; rejects with BindError naming the port. */
export async function listenUdp(address: string, port: number, handle: QueryHandler, log: Logger): Promise<Listener> {
  const socket = dgram.createSocket({ type: net.isIPv6(address) ? 'udp6' : 'udp4' });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      socket.close();
      reject(new BindError('dns-udp', address, port, err));
    };
    socket.once('error', onError);
    socket.bind({ address, port }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  // After binding, errors are per-datagram (e.g. ICMP unreachable reported on send): log, keep serving.
  socket.on('error', (err) => log.debug({ err }, 'udp socket error'));
  socket.on('message', (msg, rinfo) => {
    handle(msg, 'udp', (bytes) => {
      socket.send(bytes, rinfo.port, rinfo.address, (err) => {
        if (err) log.debug({ err, peer: rinfo.address }, 'udp send failed');
      });
    });
  });
  return { port: socket.address().port, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}
