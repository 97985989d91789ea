import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { BadRequestError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logging.js';
import { durationMillis } from '../core/resources/schemas/durations.js';
import { RouteNotFoundError, toErrorReply } from '../api-server/error-mapping.js';
import { readBody } from '../api-server/request-body.js';
import type { AssignmentSnapshot, AssignmentState } from './assignment-state.js';
import { parseMadsRequest } from './discovery-request.js';
import { HTTP_SD_PATH, httpSdTargetGroups } from './http-sd.js';
import { MADS_TYPE_URL } from './mads-proto.js';

export const FETCH_PATH = '/v3/discovery:monitoringassignments';
const TITLE = 'Could not fetch MonitoringAssignments';
/** A request body is a small DiscoveryRequest; nothing legitimate comes near this. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** A fetch is never held longer than this, whatever `fetch-timeout` asks (Prometheus' default is 2m). */
export const MAX_FETCH_TIMEOUT_MS = 10 * 60_000;

export interface MadsHttpOptions {
  readonly state: Pick<AssignmentState, 'current' | 'subscribe'>;
  readonly log: Logger;
  /** Wait when the request has no `fetch-timeout`. */
  readonly defaultFetchTimeoutMs: number;
  /** Fetches held at once; more get 304 at once. */
  readonly maxWaiting: number;
}

/**
 * xDS REST for MADS, as Prometheus' kuma_sd_configs calls it: `POST /v3/discovery:monitoringassignments`
 * with a DiscoveryRequest as JSON and `?fetch-timeout=<Go duration>`. A request whose `version_info` is not
 * the current version is answered at once (200, the DiscoveryResponse as JSON); one that already holds it
 * waits for the next change (200) or for the fetch timeout (304 Not Modified). Bodies above 64 KiB are
 * refused, and at most `maxWaiting` fetches wait at once (the rest get 304 at once), so an unauthenticated
 * peer cannot make the server hold memory. `GET /http_sd` serves the same targets for Prometheus'
 * `http_sd_configs`.
 */
export function madsHttpHandler(o: MadsHttpOptions): RequestListener {
  const waiting = new Set<() => void>();
  let nonce = 0;
  let lastFullLog = 0;
  const send = (res: ServerResponse, s: AssignmentSnapshot): void => {
    const body = `{"version_info":${JSON.stringify(s.version)},"resources":${s.json()},"type_url":${JSON.stringify(MADS_TYPE_URL)},"nonce":"${++nonce}"}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  };
  const fail = (res: ServerResponse, err: unknown): void => {
    const reply = toErrorReply(err, TITLE);
    if (reply.internal) o.log.error({ err: errorMessage(err) }, 'monitoring assignment fetch failed');
    if (!res.headersSent) res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(reply.json));
  };
  const fetch = async (req: IncomingMessage, res: ServerResponse, timeoutMs: number): Promise<void> => {
    const raw = await readBody(req, MAX_REQUEST_BYTES);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new BadRequestError('Could not parse request body', [{ field: 'body', message: `is not valid JSON: ${errorMessage(err)}` }]);
    }
    const request = parseMadsRequest(json);
    const current = o.state.current;
    if (request.versionInfo !== current.version) return send(res, current);
    if (timeoutMs <= 0) return void res.writeHead(304).end();
    if (waiting.size >= o.maxWaiting) {
      if (Date.now() - lastFullLog > 10_000) {
        lastFullLog = Date.now();
        o.log.warn({ waiting: waiting.size, limit: o.maxWaiting }, 'too many monitoring assignment fetches waiting; answering 304 at once');
      }
      return void res.writeHead(304).end();
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        unsubscribe();
        waiting.delete(done);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        res.writeHead(304).end();
      }, timeoutMs);
      const unsubscribe = o.state.subscribe((s) => {
        done();
        send(res, s);
      });
      waiting.add(done);
      res.once('close', done);
    });
  };
  return (req, res) => {
    const [path = '', query = ''] = (req.url ?? '/').split('?', 2);
    let timeoutMs: number;
    if (path === HTTP_SD_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(httpSdTargetGroups(o.state.current.assignments)));
      return;
    }
    try {
      if (path !== FETCH_PATH) throw new RouteNotFoundError(path);
      if (req.method !== 'POST') {
        req.resume();
        res.writeHead(405, { 'content-type': 'application/json', allow: 'POST' }).end(JSON.stringify({ title: 'Method not allowed', details: `${FETCH_PATH} answers POST` }));
        return;
      }
      timeoutMs = fetchTimeout(new URLSearchParams(query).get('fetch-timeout'), o.defaultFetchTimeoutMs);
    } catch (err) {
      req.resume();
      return fail(res, err);
    }
    fetch(req, res, timeoutMs).catch((err: unknown) => fail(res, err));
  };
}

/** `fetch-timeout` (a Go duration, e.g. Prometheus' `2m0s`); absent = the default; capped at 10 minutes. */
export function fetchTimeout(text: string | null, defaultMs: number): number {
  if (text === null || text === '') return Math.min(defaultMs, MAX_FETCH_TIMEOUT_MS);
  const ms = durationMillis(text);
  if (ms === undefined) throw new BadRequestError('Could not parse fetch-timeout', [{ field: 'fetch-timeout', message: 'must be a duration like 30s, 2m0s' }]);
  return Math.min(ms, MAX_FETCH_TIMEOUT_MS);
}
