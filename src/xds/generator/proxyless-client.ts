/** A proxyless gRPC client as its node says: `user_agent_name` and `user_agent_version`. */
export interface ProxylessClient {
  readonly name: string;
  readonly version: string;
}

/** The load balancers a proxyless client implements beyond round robin (which every gRPC xDS client has). */
export interface ProxylessCapabilities {
  /** How logs and notes name the client, e.g. `grpc-js-xds 1.14.1`. */
  readonly label: string;
  /** gRFC A42 ring hash (`lb_policy: RING_HASH`, XX_HASH only). */
  readonly ringHash: boolean;
}

const JS_AGENT = 'gRPC Node Pure JS';
const CORE_AGENT = 'gRPC C-core';
/** grpc-js-xds: the first version seen to accept and use RING_HASH (GRPC_XDS_EXPERIMENTAL_ENABLE_RING_HASH defaults to true there). */
const JS_RING_HASH_SINCE: Version = [1, 14, 0] as const;
/**
 * C-core's own version (`C-core 29.0.0 Python 1.51.1`): 29 = gRPC 1.51, whose ring-hash picker crashes the
 * process (SIGSEGV) on the first pick of an IDLE subchannel (grpc/grpc#31766, a bad cast added by #30714,
 * fixed by #32012 in gRPC 1.52 = core 30).
 */
const CORE_RING_HASH_SINCE: Version = [30, 0, 0] as const;

type Version = readonly [number, number, number];

function parseVersion(text: string): Version | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function atLeast(v: Version | undefined, min: Version): boolean {
  if (!v) return false;
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return (v[i] ?? 0) > (min[i] ?? 0);
  return true;
}

/**
 * What a client supports, told by its user agent only (the control plane cannot see its environment). A
 * client that is not one of the two known implementations, or whose version is not known to work, gets round
 * robin only: every gRPC xDS client accepts it, and a load balancer it does not know would be NACKed.
 */
export function proxylessCapabilities(client: ProxylessClient | undefined): ProxylessCapabilities {
  const name = client?.name ?? '';
  const version = client?.version ?? '';
  if (name === JS_AGENT) return { label: `grpc-js-xds ${version}`, ringHash: atLeast(parseVersion(version), JS_RING_HASH_SINCE) };
  if (name.startsWith(CORE_AGENT)) {
    const core = /^C-core (\S+)/.exec(version)?.[1] ?? '';
    return { label: `${name} ${version}`.trim(), ringHash: atLeast(parseVersion(core), CORE_RING_HASH_SINCE) };
  }
  return { label: name ? `${name} ${version}`.trim() : 'an unidentified gRPC client', ringHash: false };
}
