/** The ADS messages as plain objects (proto-loader with keepCase); the service itself is in discovery-service.ts. */

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
