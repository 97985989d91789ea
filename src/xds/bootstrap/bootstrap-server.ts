import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { DataplaneSpec, MeshSpec } from '../../core/resources/specs.js';
import type { Component } from '../../core/runtime/component.js';
import { serveHttp } from '../../transport/serve-http.js';
import type { Runtime } from '../../core/runtime/runtime.js';
import { bootstrapRequestSchema, parseInlineDataplane, serviceOf, type BootstrapRequest } from './bootstrap-request.js';
import { bootstrapAdminPort, envoyBootstrapYaml } from './envoy-bootstrap.js';
import { bootstrapRefusal, headerToken, ingressBootstrapRefusal } from './bootstrap-auth.js';
import { grpcBootstrap, inlineGatewayDataplane } from './grpc-bootstrap.js';
import { ProxylessCertificates } from './grpc-certs.js';
import { untilAborted } from '../../core/runtime/abort.js';

const SERVER = 'bootstrap-server';
/** Where proxyless bootstraps of an mTLS mesh point their certificate provider unless `certDir` says. */
const DEFAULT_CERT_DIR = '/var/run/kuma/grpc';
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
        const log = rt.logger(SERVER);
        const cfg = rt.config.bootstrapServer;
        await rt.view.start();
        const certs = new ProxylessCertificates(rt.view, rt.certificateSigner);
        try {
          // HTTPS with the CP certificate, plain HTTP on the same port too unless bootstrapServer.plaintextEnabled is false.
          const serving = await serveHttp({
            name: SERVER,
            host: cfg.interface,
            port: cfg.port,
            log,
            limits: rt.connections,
            ...(rt.tls ? { tls: rt.tls } : {}),
            plaintext: cfg.plaintextEnabled,
            handler: bootstrapHandler(rt, opts, log, certs),
          });
          ready();
          await untilAborted(signal);
          await serving.close();
        } finally {
          certs.stop();
        }
      },
    },
  ];
}

export function bootstrapHandler(rt: Runtime, opts: BootstrapServerOptions, log: Logger, certs: ProxylessCertificates): RequestListener {
  return (req, res) => {
    handle(rt, opts, log, certs, req)
      .catch((err: unknown): Reply => {
        log.error({ err: errorMessage(err), path: req.url }, 'bootstrap request failed');
        return text(500, 'Internal Server Error');
      })
      .then((reply) => send(res, reply), () => undefined);
  };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

async function handle(rt: Runtime, opts: BootstrapServerOptions, log: Logger, certs: ProxylessCertificates, req: IncomingMessage): Promise<Reply> {
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
  if (url.pathname === '/bootstrap/grpc/certs') {
    if (req.method !== 'GET') return text(405, 'Method Not Allowed');
    return certsReply(rt, log, certs, req, url.searchParams);
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
    spec = dp.spec;
  }
  const refusal = await bootstrapRefusal(rt, r.dataplaneToken, { mesh: r.mesh, name: r.name, spec });
  if (refusal) {
    log.info({ mesh: r.mesh, name: r.name, reason: refusal }, 'refused Envoy bootstrap');
    return text(401, refusal);
  }
  const { host, port } = xdsAddress(rt, opts, req);
  // As Kuma: Envoy verifies the xDS server against kuma-dp's CA if it sent one, else the CP certificate, which must then be a CA.
  const xdsCaPem = r.caCert || (rt.tls?.isCa ? rt.tls.certPem : undefined);
  if (rt.tls && !xdsCaPem) return text(400, 'the control plane certificate is not a CA: send the CA that signed it as caCert (kuma-dp --ca-cert-file)');
  const yaml = envoyBootstrapYaml({
    mesh: r.mesh,
    name: r.name,
    service: serviceOf(spec, r.name),
    xdsHost: host,
    xdsPort: port,
    adminPort: bootstrapAdminPort(spec.networking.admin?.port, r.adminPort),
    ...(r.dataplaneResource ? { dataplaneResource: r.dataplaneResource } : {}),
    ...(r.version ? { version: r.version } : {}),
    ...(r.dnsPort ? { dnsPort: r.dnsPort } : {}),
    ...(r.emptyDnsPort ? { emptyDnsPort: r.emptyDnsPort } : {}),
    ...(r.dynamicMetadata ? { dynamicMetadata: r.dynamicMetadata } : {}),
    ...(r.dataplaneToken ? { dataplaneToken: r.dataplaneToken } : {}),
    ...(xdsCaPem ? { xdsCaPem } : {}),
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

/** The proxyless data plane a `GET /bootstrap/grpc[/certs]` request is for, once its token is accepted. */
interface ProxylessTarget {
  readonly mesh: string;
  readonly meshSpec: MeshSpec;
  readonly name: string;
  readonly service: string;
  /** Its stored Dataplane, else the gateway Dataplane it registers inline on connect. */
  readonly spec: DataplaneSpec;
  readonly inline: boolean;
  readonly token: string;
}

/**
 * Query `mesh`, `name` (and `service` for an inline Dataplane), authenticated as the bootstrap server and ADS
 * do: the data-plane token in header `authorization` must be valid for that proxy (bootstrapRefusal).
 */
async function proxylessTarget(rt: Runtime, log: Logger, req: IncomingMessage, q: URLSearchParams, what: string): Promise<ProxylessTarget | Reply> {
  const mesh = q.get('mesh') ?? '';
  const name = q.get('name') ?? '';
  if (!mesh || !name) return text(400, 'query parameters "mesh" and "name" are required');
  // The node id is split at the first dot: a dotted name is fine, a dotted mesh would be misread.
  if (mesh.includes('.')) return text(400, `mesh "${mesh}" must not contain "."`);
  const meshResource = await rt.store.find('Mesh', { name: mesh, mesh: '' });
  if (!meshResource) return text(422, `mesh "${mesh}" does not exist`);
  const dp = await rt.store.find('Dataplane', { name, mesh });
  const service = dp ? serviceOf(dp.spec, name) : q.get('service') || name;
  const spec = (dp?.spec ?? inlineGatewayDataplane(mesh, name, service)) as unknown as DataplaneSpec;
  const token = headerToken(req.headers);
  const refusal = await bootstrapRefusal(rt, token, { mesh, name, spec });
  if (refusal) {
    log.info({ mesh, name, reason: refusal }, `refused ${what}`);
    return text(401, refusal);
  }
  return { mesh, meshSpec: meshResource.spec, name, service, spec, inline: !dp, token };
}

async function grpcReply(rt: Runtime, opts: BootstrapServerOptions, log: Logger, req: IncomingMessage, q: URLSearchParams): Promise<Reply> {
  const certDir = q.get('certDir');
  if (certDir !== null && (!certDir.startsWith('/') || certDir.split('/').includes('..') || certDir.includes('\0') || certDir.length > 1024)) {
    return text(400, 'certDir must be an absolute path without ".." (at most 1024 characters)');
  }
  const tls = q.get('tls');
  if (tls !== null && tls !== 'true' && tls !== 'false') return text(400, 'query parameter "tls" must be true or false');
  const target = await proxylessTarget(rt, log, req, q, 'gRPC bootstrap');
  if ('status' in target) return target;
  const { mesh, name } = target;
  const mtls = Boolean(target.meshSpec.mtls?.enabledBackend);
  const { host, port } = xdsAddress(rt, opts, req);
  const body = grpcBootstrap({
    mesh,
    name,
    service: target.service,
    xdsHost: host,
    xdsPort: port,
    zone: rt.config.multizone.remote.zone,
    inlineDataplane: target.inline,
    tls: tls === 'true',
    ...(target.token ? { dataplaneToken: target.token } : {}),
    ...(mtls ? { certDir: certDir ?? `${DEFAULT_CERT_DIR}/${mesh}/${name}` } : {}),
  });
  log.info({ mesh, name, xds: `${host}:${port}`, inline: target.inline }, 'served gRPC bootstrap');
  return { status: 200, body: `${JSON.stringify(body, null, 2)}\n`, headers: { 'content-type': 'application/json' } };
}

/**
 * The workload certificate, key and mesh CA for a proxyless data plane (the bootstrap's certDir files):
 * a private key and a certificate carrying the proxy's identity, so only to a caller holding its token.
 */
async function certsReply(rt: Runtime, log: Logger, certs: ProxylessCertificates, req: IncomingMessage, q: URLSearchParams): Promise<Reply> {
  const target = await proxylessTarget(rt, log, req, q, 'proxyless workload certificate');
  if ('status' in target) return target;
  const result = await certs.issue(target.mesh, target.meshSpec, target.name, target.spec);
  if ('error' in result) return text(result.status, result.error);
  log.info({ mesh: target.mesh, name: target.name, expiresAt: result.certs.expiresAt }, 'served proxyless workload certificate');
  return { status: 200, body: `${JSON.stringify(result.certs, null, 2)}\n`, headers: { 'content-type': 'application/json' } };
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
