import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../core/logging.js';
import { adsServerDefinition, type AdsHandlers } from '../../grpc/discovery-service.js';
import { bindGrpcServer, newGrpcServer } from '../../grpc/transport.js';

export interface ServingAds {
  readonly server: grpc.Server;
  readonly port: number;
}

/** A gRPC server with the ADS service bound on host:port (logs the `listening` line as `server`). */
export async function serveAds(handlers: AdsHandlers, server: string, host: string, port: number, log: Logger): Promise<ServingAds> {
  const grpcServer = newGrpcServer();
  grpcServer.addService(adsServerDefinition(), { ...handlers });
  try {
    const bound = await bindGrpcServer(grpcServer, server, host, port, log);
    return { server: grpcServer, port: bound };
  } catch (err) {
    grpcServer.forceShutdown();
    throw err;
  }
}
