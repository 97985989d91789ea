import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../core/logging.js';
import { adsServerDefinition, type AdsHandlers } from '../../grpc/discovery-service.js';
import { newGrpcServer, serveGrpc, type GrpcServing } from '../../grpc/transport.js';
import { budgetSize, ConnectionBudget } from '../../transport/connection-budget.js';
import type { ConnectionLimits } from '../../transport/connection-guard.js';
import type { TlsMaterial } from '../../transport/tls-material.js';

export interface ServingAds extends GrpcServing {
  readonly server: grpc.Server;
}

/** How the ADS port is served; in-process tests use plaintext with generous limits. */
export interface AdsTransport {
  /** Absent: plaintext only. */
  readonly tls?: TlsMaterial;
  readonly plaintext: boolean;
  readonly limits: ConnectionLimits;
}

const plaintextForTests = (log: Logger): AdsTransport => ({
  plaintext: true,
  limits: { perPort: 10_000, perSource: 10_000, idleFirstByteMs: 10_000, budget: new ConnectionBudget(budgetSize(undefined, 0), log) },
});

/** A gRPC server with the ADS service on host:port (logs the `listening` line as `server`). */
export async function serveAds(handlers: AdsHandlers, server: string, host: string, port: number, log: Logger, transport = plaintextForTests(log)): Promise<ServingAds> {
  const grpcServer = newGrpcServer();
  grpcServer.addService(adsServerDefinition(), { ...handlers });
  const serving = await serveGrpc(grpcServer, { name: server, host, port, log, ...transport });
  return { ...serving, server: grpcServer };
}
