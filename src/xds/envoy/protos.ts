import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';

/** The Envoy API files the generators, the bootstrap and the validation harness need (their imports follow). */
const ENTRY_FILES = [
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/config/trace/v3/zipkin.proto',
  'envoy/config/trace/v3/datadog.proto',
] as const;

const require = createRequire(import.meta.url);

function includeDirs(): string[] {
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  return ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d));
}

function loadRoot(): protobuf.Root {
  const dirs = includeDirs();
  // protobufjs bundles the well-known types except descriptor.proto, which validate.proto and the
  // udpa/envoy annotations import: take protobufjs's own copy of it.
  const descriptor = require.resolve('protobufjs/google/protobuf/descriptor.proto');
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string): string => {
    if (target === 'google/protobuf/descriptor.proto') return descriptor;
    for (const dir of dirs) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target;
  };
  root.loadSync([...ENTRY_FILES], { keepCase: true });
  root.resolveAll();
  return root;
}

// Module-level on purpose: decoded protobuf type descriptors, the same for every control plane in the process.
let cached: protobuf.Root | undefined;

/** The Envoy v3 API as one protobufjs Root (snake_case field names), loaded once per process. */
export function envoyRoot(): protobuf.Root {
  cached ??= loadRoot();
  return cached;
}

/**
 * A message type by full name (`envoy.config.cluster.v3.Cluster`) or type URL. A type outside the entry files
 * (an extension a ProxyTemplate names, e.g. `envoy.extensions.filters.http.fault.v3.HTTPFault`) is loaded on
 * first use with the rest of its package's directory.
 */
export function envoyType(nameOrTypeUrl: string): protobuf.Type {
  const name = nameOrTypeUrl.slice(nameOrTypeUrl.lastIndexOf('/') + 1);
  const root = envoyRoot();
  if (!(root.lookup(name) instanceof protobuf.Type)) loadPackageOf(root, name);
  return root.lookupType(name);
}

/** Loads the .proto files of the API directory a (package-qualified) type name lives in, if there is one. */
function loadPackageOf(root: protobuf.Root, name: string): void {
  const parts = name.split('.');
  if (parts.some((p) => !/^[A-Za-z0-9_]+$/.test(p))) return;
  // The package is a prefix of the name (nested messages add parts after it): the longest prefix that is a directory.
  for (let n = parts.length - 1; n > 0; n--) {
    const rel = parts.slice(0, n).join('/');
    for (const dir of includeDirs()) {
      const abs = join(dir, rel);
      if (!existsSync(abs) || !statSync(abs).isDirectory()) continue;
      const files = readdirSync(abs).filter((f) => f.endsWith('.proto'));
      if (files.length === 0) continue;
      root.loadSync(
        files.map((f) => `${rel}/${f}`),
        { keepCase: true },
      );
      root.resolveAll();
      return;
    }
  }
}
