import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { durationMillis } from '../core/resources/schemas/durations.js';
import type { Component } from '../core/runtime/component.js';
import type { Runtime } from '../core/runtime/runtime.js';
import { untilAborted } from '../core/runtime/abort.js';
import { newGrpcServer, shutdownGrpcServer } from '../grpc/transport.js';
import { PortListener } from '../transport/port-listener.js';
import { AssignmentState } from './assignment-state.js';
import { madsGrpcHandlers } from './mads-grpc.js';
import { madsHttpHandler } from './mads-http.js';
import { madsServiceDefinition } from './mads-proto.js';

/** The HTTP/2 connection preface starts with a method no HTTP/1 request has. */
const H2_PREFACE_START = Buffer.from('PRI');

/**
 * Reads a connection's first bytes to tell HTTP/2 (gRPC, prior knowledge) from HTTP/1 (the REST fetch),
 * then pushes them back and pauses the socket for the server that takes it.
 */
function sniffHttp2(conn: Socket, decided: (http2: boolean) => void): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const n = Math.min(head.length, H2_PREFACE_START.length);
    const maybeHttp2 = head.subarray(0, n).equals(H2_PREFACE_START.subarray(0, n));
    if (maybeHttp2 && head.length < H2_PREFACE_START.length) return;
    conn.off('data', onData);
    conn.pause();
    conn.unshift(head);
    decided(maybeHttp2);
  };
  conn.on('data', onData);
}

/**
 * The monitoring assignment server (MADS, Kuma's port 5676): gRPC and xDS REST on one plaintext port, the
 * protocol told by the first bytes, within the connection caps every CP port applies. Plaintext and without
 * authentication, as Kuma's default (it tells data plane names, addresses and tags, read-only).
 */
export function madsServerComponent(rt: Runtime): Component {
  return {
    name: 'mads-server',
    async start(signal, ready) {
      const log = rt.logger('mads-server');
      const cfg = rt.config.monitoringAssignmentServer;
      const state = new AssignmentState(rt.view, rt.config.mode === 'remote' ? rt.config.multizone.remote.zone : undefined, log);
      const unwatch = await state.start();
      const grpcServer = newGrpcServer();
      grpcServer.addService(madsServiceDefinition(), madsGrpcHandlers(state, log));
      const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
      const http = createServer(madsHttpHandler({ state, log, defaultFetchTimeoutMs: durationMillis(cfg.defaultFetchTimeout) ?? 30_000, maxWaiting: cfg.maxWaitingFetches }));
      const listener = new PortListener({
        name: 'mads-server',
        host: cfg.interface,
        port: cfg.port,
        log,
        limits: rt.connections,
        security: { tls: false, plaintext: true },
        handoff: {
          plaintext: (conn) =>
            sniffHttp2(conn, (http2) => {
              if (http2) return injector.injectConnection(conn);
              http.emit('connection', conn);
              conn.resume();
            }),
        },
      });
      try {
        await listener.listen();
      } catch (err) {
        injector.destroy();
        unwatch();
        throw err;
      }
      http.emit('listening');
      ready();
      await untilAborted(signal);
      unwatch();
      http.close(() => undefined);
      http.closeAllConnections();
      await Promise.all([shutdownGrpcServer(grpcServer), listener.close()]);
    },
  };
}
