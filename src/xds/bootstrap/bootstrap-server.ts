import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { errorMessage } from '../../core/errors.js';
import { logger, type Logger } from '../../core/logging.js';
import type { DataplaneSpec } from '../../core/resources/specs.js';
import type { Component } from '../../core/runtime/component.js';
import { closeServer, listen } from '../../core/runtime/listen.js';
import type { Runtime } from '../../core/runtime/runtime.js';
import { bootstrapRequestSchema, parseInlineDataplane, serviceOf, type BootstrapRequest } from './bootstrap-request.js';
import { envoyBootstrapYaml } from './envoy-bootstrap.js';
import { bootstrapRefusal, headerToken, ingressBootstrapRefusal } from './bootstrap-auth.js';
import { grpcBootstrap, inlineGatewayDataplane } from './grpc-bootstrap.js';
import { untilAborted } from '../../core/runtime/abort.js';

const SERVER = 'bootstrap-server';
const MAX_BODY = 1024 * 1024;
const DATAPLANE_NOT_FOUND =
  'Dataplane entity not found. If you are running on Universal please create a Dataplane entity on kuma-cp before starting kuma-dp or pass it to kuma-dp run --dataplane-file=/file.';

export interface BootstrapServerOptions {
  /** The dp-server's bound port when the config asks for port 0 (the lead wires it from the dp-server). */
  readonly xdsPort?: () => number | undefined;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const text = (status: number, body: string): Reply => ({ status, body: `${body}\n`, headers: { 'content-type': 'text/plain; charset=utf-8' } });

/** The bootstrap HTTP server: `POST /bootstrap` (kuma-dp, Envoy YAML) and `GET /bootstrap/grpc` (proxyless JSON). */
export function bootstrapComponents(rt: Runtime, opts: BootstrapServerOptions = {}): Component[] {
  return [
    {
      name: SERVER,
      async start(signal, ready) {
        const log = logger(SERVER);
        const server = createBootstrapServer(rt, opts, log);
        const host = rt.config.dpServer.interface;
        await listen(server, SERVER, host, rt.config.bootstrapServer.port, log);
        ready();
        await untilAborted(signal);
        await closeServer(server);
      },
    },
  ];
}

export function createBootstrapServer(rt: Runtime, opts: BootstrapServerOptions, log: Logger): Server {
  return createServer((req, res) => {
    handle(rt, opts, log, req)
      .catch((err: unknown): Reply => {
        log.error({ err: errorMessage(err), path: req.url }, 'bootstrap request failed');
        return text(500, 'Internal Server Error');
      })
      .then((reply) => send(res, reply), () => undefined);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

async function handle(rt: Runtime, opts: BootstrapServerOptions, log: Logger, req: IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://bootstrap');
  if (url.pathname === '/bootstrap') {
    if (req.method !== 'POST') return text(405, 'Method Not Allowed');
    const body = await readBody(req);
    if (body === undefined) return text(413, `request body is larger than ${MAX_BODY} bytes`);
    return envoyReply(rt, opts, log, req, body);
  }
  if (url.pathname === '/bootstrap/grpc') {
    if (req.method !== 'GET') return text(405, 'Method Not Allowed');
    return grpcReply(rt, opts, log, req, url.searchParams);
  }
  return text(404, 'Not Found');
}

async function envoyReply(rt: Runtime, opts: BootstrapServerOptions, log: Logger, req: IncomingMessage, body: string): Promise<Reply> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return text(400, 'request body is not valid JSON');
  }
  const parsed = bootstrapRequestSchema.safeParse(json);
  if (!parsed.success) return text(400, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  const r = parsed.data;
  if (r.proxyType === 'ingress') return ingressReply(rt, opts, log, req, r);
  if (!(await rt.store.find('Mesh', { name: r.mesh, mesh: '' }))) return text(422, `mesh "${r.mesh}" does not exist`);
  let spec: DataplaneSpec;
  if (r.dataplaneResource) {
    const inline = parseInlineDataplane(r.dataplaneResource);
    if (!inline) return text(422, 'dataplaneResource is not a Dataplane');
    if ((inline.mesh && inline.mesh !== r.mesh) || (inline.name && inline.name !== r.name)) {
      return text(422, `dataplaneResource names ${inline.mesh ?? r.mesh}.${inline.name ?? r.name}, the request ${r.mesh}.${r.name}`);
    }
    spec = inline.spec;
  } else {
    const dp = await rt.store.find('Dataplane', { name: r.name, mesh: r.mesh });
    if (!dp) return text(404, DATAPLANE_NOT_FOUND);
    spec = dp.spec as unknown as DataplaneSpec;
  }
  const refusal = await bootstrapRefusal(rt, r.dataplaneToken, { mesh: r.mesh, name: r.name, spec });
  if (refusal) {
    log.info({ mesh: r.mesh, name: r.name, reason: refusal }, 'refused Envoy bootstrap');
    return text(401, refusal);
  }
  const { host, port } = xdsAddress(rt, opts, req);
  const yaml = envoyBootstrapYaml({
    mesh: r.mesh,
    name: r.name,
    service: serviceOf(spec, r.name),
    xdsHost: host,
    xdsPort: port,
    ...(r.adminPort !== undefined ? { adminPort: r.adminPort } : {}),
    ...(r.dataplaneResource ? { dataplaneResource: r.dataplaneResource } : {}),
    ...(r.version ? { version: r.version } : {}),
    ...(r.dnsPort ? { dnsPort: r.dnsPort } : {}),
    ...(r.emptyDnsPort ? { emptyDnsPort: r.emptyDnsPort } : {}),
    ...(r.dynamicMetadata ? { dynamicMetadata: r.dynamicMetadata } : {}),
    ...(r.dataplaneToken ? { dataplaneToken: r.dataplaneToken } : {}),
  });
  log.info({ mesh: r.mesh, name: r.name, xds: `${host}:${port}` }, 'served Envoy bootstrap');
  return { status: 200, body: yaml, headers: { 'content-type': 'text/x-yaml', 'kuma-bootstrap-version': '3' } };
}

/** A zone ingress's Envoy bootstrap (kuma-dp `--proxy-type=ingress`): node `.<name>`, for a ZoneIngress of this CP. */
async function ingressReply(rt: Runtime, opts: BootstrapServerOptions, log: Logger, req: IncomingMessage, r: BootstrapRequest): Promise<Reply> {
  if (!(await rt.store.find('ZoneIngress', { name: r.name, mesh: '' }))) return text(404, `ZoneIngress "${r.name}" not found: create it on this zone control plane first`);
  const refusal = await ingressBootstrapRefusal(rt, r.dataplaneToken);
  if (refusal) {
    log.info({ ingress: r.name, reason: refusal }, 'refused zone ingress bootstrap');
    return text(401, refusal);
  }
  const { host, port } = xdsAddress(rt, opts, req);
  const yaml = envoyBootstrapYaml({
    mesh: '',
    name: r.name,
    service: 'ingress',
    xdsHost: host,
    xdsPort: port,
    ...(r.adminPort !== undefined ? { adminPort: r.adminPort } : {}),
    ...(r.version ? { version: r.version } : {}),
    ...(r.dataplaneToken ? { dataplaneToken: r.dataplaneToken } : {}),
  });
  log.info({ ingress: r.name, xds: `${host}:${port}` }, 'served zone ingress bootstrap');
  return { status: 200, body: yaml, headers: { 'content-type': 'text/x-yaml', 'kuma-bootstrap-version': '3' } };
}

async function grpcReply(rt: Runtime, opts: BootstrapServerOptions, log: Logger, req: IncomingMessage, q: URLSearchParams): Promise<Reply> {
  const mesh = q.get('mesh') ?? '';
  const name = q.get('name') ?? '';
  if (!mesh || !name) return text(400, 'query parameters "mesh" and "name" are required');
  // The node id is split at the first dot: a dotted name is fine, a dotted mesh would be misread.
  if (mesh.includes('.')) return text(400, `mesh "${mesh}" must not contain "."`);
  if (!(await rt.store.find('Mesh', { name: mesh, mesh: '' }))) return text(422, `mesh "${mesh}" does not exist`);
  const dp = await rt.store.find('Dataplane', { name, mesh });
  const service = dp ? serviceOf(dp.spec as unknown as DataplaneSpec, name) : q.get('service') || name;
  const token = headerToken(req.headers);
  const spec = (dp?.spec ?? inlineGatewayDataplane(mesh, name, service)) as unknown as DataplaneSpec;
  const refusal = await bootstrapRefusal(rt, token, { mesh, name, spec });
  if (refusal) {
    log.info({ mesh, name, reason: refusal }, 'refused gRPC bootstrap');
    return text(401, refusal);
  }
  const { host, port } = xdsAddress(rt, opts, req);
  const body = grpcBootstrap({ mesh, name, service, xdsHost: host, xdsPort: port, zone: rt.config.multizone.remote.zone, inlineDataplane: !dp, ...(token ? { dataplaneToken: token } : {}) });
  log.info({ mesh, name, xds: `${host}:${port}`, inline: !dp }, 'served gRPC bootstrap');
  return { status: 200, body: `${JSON.stringify(body, null, 2)}\n`, headers: { 'content-type': 'application/json' } };
}

/** bootstrapServer.xdsHost, else the host the client used to reach us; bootstrapServer.xdsPort, else the dp-server port. */
function xdsAddress(rt: Runtime, opts: BootstrapServerOptions, req: IncomingMessage): { host: string; port: number } {
  const cfg = rt.config.bootstrapServer;
  let host = cfg.xdsHost;
  if (!host) {
    try {
      host = new URL(`http://${req.headers.host ?? 'localhost'}`).hostname.replace(/^\[(.*)\]$/, '$1');
    } catch {
      host = 'localhost';
    }
  }
  const port = cfg.xdsPort || opts.xdsPort?.() || rt.config.dpServer.port;
  return { host, port };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
