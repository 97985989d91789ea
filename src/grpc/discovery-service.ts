import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { encodeDeltaDiscoveryResponse, reusingDiscoveryResponseEncoder } from './ads-codec.js';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse, DiscoveryRequest, DiscoveryResponse } from './discovery-messages.js';
import { tolerantDeserializer } from './undecodable.js';

/**
 * The Envoy aggregated discovery service (`envoy.service.discovery.v3.AggregatedDiscoveryService`), loaded
 * with @grpc/proto-loader from the protos shipped in @grpc/grpc-js-xds. Messages are plain objects with
 * the proto field names (keepCase); `Any.value` is raw bytes, so resources travel as they were encoded.
 */
const require = createRequire(import.meta.url);

export function envoyIncludeDirs(): string[] {
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  return ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d));
}

export const ADS_SERVICE = 'envoy.service.discovery.v3.AggregatedDiscoveryService';

export type { StructValue, Struct, Node, RpcStatus, AnyMessage, DiscoveryRequest, DiscoveryResponse, DeltaDiscoveryRequest, DeltaResource, DeltaDiscoveryResponse } from './discovery-messages.js';

export type SotwCall = grpc.ServerDuplexStream<DiscoveryRequest, DiscoveryResponse>;
export type DeltaCall = grpc.ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;

export interface AdsHandlers {
  StreamAggregatedResources(call: SotwCall): void;
  DeltaAggregatedResources(call: DeltaCall): void;
}

// Module-level on purpose: the loaded service definition is immutable and the same for every control plane.
let definition: grpc.GrpcObject | undefined;

/** The loaded package tree (server definition and client constructors), loaded once per process. */
export function discoveryPackage(): grpc.GrpcObject {
  definition ??= grpc.loadPackageDefinition(
    protoLoader.loadSync('envoy/service/discovery/v3/ads.proto', {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
      includeDirs: envoyIncludeDirs(),
    }),
  );
  return definition;
}

function adsClientConstructor(): grpc.ServiceClientConstructor {
  let node: unknown = discoveryPackage();
  for (const part of ADS_SERVICE.split('.')) node = (node as Record<string, unknown>)[part];
  return node as grpc.ServiceClientConstructor;
}

export function adsServiceDefinition(): grpc.ServiceDefinition {
  return adsClientConstructor().service;
}

/**
 * The ADS service definition the server binds: the proto-loader one with the response serializers replaced
 * by the hand-written encoders of `ads-codec.ts` (resource bytes are not re-encoded per stream), and undecodable
 * requests handed to the stream as markers (answered INVALID_ARGUMENT, not grpc-js's INTERNAL).
 */
export function adsServerDefinition(): grpc.ServiceDefinition {
  const std = adsServiceDefinition();
  const sotw = std['StreamAggregatedResources'] as grpc.MethodDefinition<DiscoveryRequest, DiscoveryResponse>;
  const delta = std['DeltaAggregatedResources'] as grpc.MethodDefinition<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;
  return {
    ...std,
    StreamAggregatedResources: { ...sotw, requestDeserialize: tolerantDeserializer(sotw.requestDeserialize), responseSerialize: reusingDiscoveryResponseEncoder() },
    DeltaAggregatedResources: { ...delta, requestDeserialize: tolerantDeserializer(delta.requestDeserialize), responseSerialize: encodeDeltaDiscoveryResponse },
  };
}

/** A generic client for the ADS service (tests and tooling). */
export function adsClient(address: string, credentials = grpc.credentials.createInsecure()): grpc.Client {
  const Ctor = adsClientConstructor();
  return new Ctor(address, credentials);
}
