import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { envoyIncludeDirs } from '../grpc/discovery-service.js';
import { projectProtoDir } from '../grpc/proto-path.js';
import type { MonitoringAssignment } from './assignments.js';

export const MADS_TYPE_URL = 'type.googleapis.com/kuma.observability.v1.MonitoringAssignment';
export const MADS_SERVICE = 'kuma.observability.v1.MonitoringAssignmentDiscoveryService';
const PROTO_FILE = 'mads.proto';

function includeDirs(): string[] {
  return [projectProtoDir(import.meta.url, PROTO_FILE), ...envoyIncludeDirs()];
}

// Module-level on purpose: decoded protobuf descriptors, the same for every control plane in the process.
let assignmentType: protobuf.Type | undefined;
let service: grpc.ServiceDefinition | undefined;

/** proto/mads.proto with its Envoy imports resolved from the include directories. */
function loadRoot(): protobuf.Root {
  const dirs = includeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => dirs.map((d) => join(d, target)).find((p) => existsSync(p)) ?? target;
  return root.loadSync(PROTO_FILE, { keepCase: true });
}

/** A MonitoringAssignment in protobuf wire form (the `value` of its Any). */
export function encodeAssignment(a: MonitoringAssignment): Uint8Array {
  assignmentType ??= loadRoot().lookupType('kuma.observability.v1.MonitoringAssignment');
  const { mesh, service: svc, targets, labels } = a;
  return assignmentType.encode(assignmentType.fromObject({ mesh, service: svc, targets, labels })).finish();
}

/** The gRPC service definition (requests and responses as proto-loader plain objects, keepCase). */
export function madsServiceDefinition(): grpc.ServiceDefinition {
  if (!service) {
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO_FILE, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: includeDirs() }));
    let node: unknown = pkg;
    for (const part of MADS_SERVICE.split('.')) node = (node as Record<string, unknown>)[part];
    service = (node as grpc.ServiceClientConstructor).service;
  }
  return service;
}

/** A client of the service (tests and tooling). */
export function madsClient(address: string): grpc.Client {
  const Ctor = grpc.makeGenericClientConstructor(madsServiceDefinition(), 'MonitoringAssignmentDiscoveryService');
  return new Ctor(address, grpc.credentials.createInsecure());
}
