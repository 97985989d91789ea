import type { IncomingHttpHeaders } from 'node:http';
import type { DryRunner } from '../core/inspect/dry-run.js';
import type { PolicyMatcher } from '../core/inspect/policy-inspector.js';
import type { XdsInspector } from '../core/inspect/xds-inspector.js';
import type { Logger } from '../core/logging.js';
import type { Runtime } from '../core/runtime/runtime.js';
import type { User } from '../core/tokens/user-token.js';
import type { Params } from './router.js';

/** What a handler sees of an HTTP request. */
export interface ApiRequest {
  readonly method: string;
  /** Raw path, without the query. */
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly params: Params;
  readonly headers: IncomingHttpHeaders;
  /** `http://<Host header>`: base of absolute links (`next`). */
  readonly origin: string;
  /** Who is calling (api-server/authn.ts): localhost admin, a user token's user, or anonymous. */
  readonly user: User;
  /** Reads (bounded by apiServer.maxBodyBytes) and parses the JSON or YAML body. */
  body(): Promise<unknown>;
}

/** A successful answer; errors are thrown and turned into replies by error-mapping.ts. */
export interface Reply {
  readonly status: number;
  /** Serialised as JSON; absent = empty body. */
  readonly json?: unknown;
  /** A plain-text body instead (issued tokens). */
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Endpoint {
  /** Kuma's error title for failures of this endpoint ("Could not retrieve a resource"...). */
  readonly title: string;
  handle(req: ApiRequest): Promise<Reply>;
}

/** What the inspect endpoints read from other subsystems, through core interfaces only. */
export interface InspectDeps {
  readonly matchPolicies: PolicyMatcher;
  /** The xDS server's state on modes that run one (standalone, zone); undefined on a global. */
  xds(): XdsInspector | undefined;
  /** What a write would change in the proxies' configuration (`?dryRun=true`). */
  readonly dryRun: DryRunner;
}

export interface ApiDeps {
  readonly rt: Runtime;
  readonly log: Logger;
  readonly inspect: InspectDeps;
}
