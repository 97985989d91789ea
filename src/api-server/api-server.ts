import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logging.js';
import { untilAborted } from '../core/runtime/abort.js';
import type { Component } from '../core/runtime/component.js';
import type { Runtime } from '../core/runtime/runtime.js';
import type { ApiDeps, ApiRequest, Endpoint, InspectDeps, Reply } from './endpoint.js';
import { addInspectRoutes } from './inspect/inspect-endpoints.js';
import { MethodNotAllowedError, RouteNotFoundError, toErrorReply, type ErrorReply } from './error-mapping.js';
import { addInsightRoutes } from './insights/insight-endpoints.js';
import { assertMayCall, authenticateRequest } from './authn.js';
import { addGuiRoutes } from './gui-endpoints.js';
import { addIndexRoutes } from './index-endpoints.js';
import { addOverviewRoutes } from './overview-endpoints.js';
import { parseBody, readBody } from './request-body.js';
import { addResourceRoutes } from './resource-endpoints.js';
import { addTokenRoutes } from './token-endpoints.js';
import { Router } from './router.js';
import { serveHttp, type HttpServing } from '../transport/serve-http.js';

export const SERVER_NAME = 'api-server';
/** The HTTPS port (Kuma's 5682) logs its `listening` line under this name. */
export const HTTPS_SERVER_NAME = 'api-server-https';
/** After a stop, connections still busy this long are cut. */
const SHUTDOWN_GRACE_MS = 3000;

/** Test seam: learn the bound address without parsing logs. */
export interface ApiServerHooks {
  onListening?(address: AddressInfo): void;
}

/**
 * The Kuma-compatible REST API (default port 5681) on `config.apiServer.http.{interface,port}`.
 * `start` resolves once the server has stopped after `signal` aborts; a bind failure rejects it.
 */
export function apiServerComponent(rt: Runtime, inspect: InspectDeps, hooks: ApiServerHooks = {}): Component {
  return { name: SERVER_NAME, start: (signal, ready) => run(rt, inspect, hooks, signal, ready) };
}

export function buildRouter(deps: ApiDeps): Router<Endpoint> {
  const router = new Router<Endpoint>();
  addIndexRoutes(router, deps);
  addGuiRoutes(router);
  addOverviewRoutes(router, deps);
  addInsightRoutes(router, deps);
  addInspectRoutes(router, deps);
  addTokenRoutes(router, deps);
  addResourceRoutes(router, deps);
  return router;
}

async function run(rt: Runtime, inspect: InspectDeps, hooks: ApiServerHooks, signal: AbortSignal, ready: () => void): Promise<void> {
  if (signal.aborted) return;
  const log = rt.logger(SERVER_NAME);
  const deps: ApiDeps = { rt, log, inspect };
  const router = buildRouter(deps);
  // Once stopping, answers close their connection: a kept-alive client must not hold the shutdown up.
  const state = { stopping: false };
  const handler = (req: IncomingMessage, res: ServerResponse): void => void handle(deps, router, req, res, state);
  const { http, https } = rt.config.apiServer;
  const common = {
    log,
    limits: rt.connections,
    // A kept-alive connection stays open well past a client's own idle timeout (undici: 4 s): with Node's 5 s
    // default, a busy event loop could time a socket out in the same turn its next request arrived, and the
    // client saw ECONNRESET on a request the server never read.
    serverOptions: { requestTimeout: 120_000, headersTimeout: 66_000, keepAliveTimeout: 65_000 },
    handler,
    onClientError: (err: NodeJS.ErrnoException, socket: Socket) => onClientError(log, err, socket),
  };
  const ports: HttpServing[] = [];
  try {
    if (http.enabled) ports.push(await serveHttp({ ...common, name: SERVER_NAME, host: http.interface, port: http.port, plaintext: true }));
    // Without a certificate (in-process tests) there is no HTTPS port.
    if (https.enabled && rt.tls) ports.push(await serveHttp({ ...common, name: HTTPS_SERVER_NAME, host: https.interface, port: https.port, tls: rt.tls, plaintext: false }));
  } catch (err) {
    await Promise.all(ports.map((p) => p.close(0)));
    throw err;
  }
  const first = ports[0];
  if (first) hooks.onListening?.({ address: http.enabled ? http.interface : https.interface, family: 'IPv4', port: first.port });
  ready();

  await untilAborted(signal);
  state.stopping = true;
  await Promise.all(ports.map((p) => p.close(SHUTDOWN_GRACE_MS)));
  log.info({ server: SERVER_NAME }, 'stopped');
}

async function handle(deps: ApiDeps, router: Router<Endpoint>, req: IncomingMessage, res: ServerResponse, state: { stopping: boolean }): Promise<void> {
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  let title = 'Could not process the request';
  try {
    const match = router.match(method, pathname);
    if (match.kind === 'not-found') throw new RouteNotFoundError(pathname);
    if (match.kind === 'method-not-allowed') throw new MethodNotAllowedError(match.allowed);
    title = match.handler.title;
    const user = await authenticateRequest(deps.rt, req, method, pathname);
    assertMayCall(deps.rt, user, method, pathname);
    const request: ApiRequest = {
      user,
      method,
      pathname,
      query,
      params: match.params,
      headers: req.headers,
      origin: `${'encrypted' in req.socket ? 'https' : 'http'}://${req.headers.host ?? `${req.socket.localAddress ?? 'localhost'}:${req.socket.localPort ?? ''}`}`,
      body: async () => parseBody(await readBody(req, deps.rt.config.apiServer.maxBodyBytes), req.headers['content-type']),
    };
    send(res, await match.handler.handle(request), state.stopping);
  } catch (err) {
    const reply = toErrorReply(err, title);
    if ('internal' in reply) deps.log.error({ err, method, url }, 'request failed');
    else if (method === 'PUT' || method === 'DELETE') deps.log.info({ method, url, status: reply.status, reason: describeRefusal(reply.json) }, 'write refused');
    else deps.log.debug({ method, url, status: reply.status, reason: errorMessage(err) }, 'request refused');
    send(res, reply, state.stopping);
  }
}

/** The error answer in one line for the log: details and causes. */
function describeRefusal(body: ErrorReply['json']): string {
  const causes = (body.causes ?? []).map((c) => `${c.field}: ${c.message}`).join('; ');
  return causes ? `${body.details} (${causes})` : body.details;
}

function send(res: ServerResponse, reply: Reply | ErrorReply, stopping: boolean): void {
  if (res.headersSent || res.destroyed) return;
  let body = '';
  const headers: Record<string, string> = {};
  if ('text' in reply && reply.text !== undefined) {
    body = reply.text;
    headers['content-type'] = 'text/plain; charset=utf-8';
  } else if ('json' in reply && reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    headers['content-type'] = 'application/json';
  }
  headers['content-length'] = String(Buffer.byteLength(body));
  if (stopping) headers['connection'] = 'close';
  res.writeHead(reply.status, { ...headers, ...reply.headers });
  res.end(body);
}

function onClientError(log: Logger, err: NodeJS.ErrnoException, socket: Socket): void {
  log.debug({ reason: err.message, code: err.code }, 'malformed HTTP request');
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
