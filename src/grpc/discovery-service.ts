import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { encodeDeltaDiscoveryResponse, reusingDiscoveryResponseEncoder } from './ads-codec.js';
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

/**
 * google.protobuf.Value as proto-loader decodes it (`oneofs: true` sets `kind`). protobufjs bundles the
 * well-known types with camelCase field names, so these stay camelCase even with keepCase.
 */
export interface StructValue {
  kind?: string;
  nullValue?: string;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: Struct | null;
  listValue?: { values?: StructValue[] } | null;
}
export interface Struct {
  fields?: Record<string, StructValue>;
}

export interface Node {
  id?: string;
  cluster?: string;
  metadata?: Struct | null;
  user_agent_name?: string;
  user_agent_version?: string;
  locality?: { region?: string; zone?: string; sub_zone?: string } | null;
}

export interface RpcStatus {
  code?: number;
  message?: string;
}

export interface AnyMessage {
  type_url: string;
  value: Uint8Array;
}

export interface DiscoveryRequest {
  version_info?: string;
  node?: Node | null;
  resource_names?: string[];
  type_url?: string;
  response_nonce?: string;
  error_detail?: RpcStatus | null;
}

export interface DiscoveryResponse {
  version_info: string;
  /**
   * Not a proto field: `resources` entries already framed by `frameSotwResources` (ads-codec), written
   * before `resources`. Only the server's encoder reads it.
   */
  framed?: readonly Uint8Array[];
  resources: AnyMessage[];
  type_url: string;
  nonce: string;
  control_plane?: { identifier: string };
}

export interface DeltaDiscoveryRequest {
  node?: Node | null;
  type_url?: string;
  resource_names_subscribe?: string[];
  resource_names_unsubscribe?: string[];
  initial_resource_versions?: Record<string, string>;
  response_nonce?: string;
  error_detail?: RpcStatus | null;
}

export interface DeltaResource {
  name: string;
  version: string;
  resource: AnyMessage;
}

export interface DeltaDiscoveryResponse {
  system_version_info: string;
  resources: DeltaResource[];
  type_url: string;
  removed_resources: string[];
  nonce: string;
  control_plane?: { identifier: string };
}

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
