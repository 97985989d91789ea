import type { ProxyXdsView, XdsInspector } from '../../core/inspect/xds-inspector.js';
import { toEnvoyJson } from '../envoy/envoy-json.js';
import type { StreamStats } from '../insights/subscription-stats.js';
import type { NodeInfo } from '../server/node-identity.js';
import { SentConfig } from './sent-config.js';

interface Tracked {
  readonly info: NodeInfo;
  readonly connectTime: string;
  readonly sent: SentConfig;
}

/** `type.googleapis.com/envoy.config.cluster.v3.Cluster` -> `envoy.config.cluster.v3.Cluster`. */
const typeName = (typeUrl: string): string => typeUrl.slice(typeUrl.lastIndexOf('/') + 1);

/**
 * The xDS state of every proxy connected to this instance (latest stream per proxy), read by the API's
 * inspect endpoints through XdsInspector. Bounded by the connected streams: a stream's entry goes when it closes.
 */
export class XdsStateRegistry implements XdsInspector {
  private readonly streams = new Map<string, Tracked>();

  /** Wraps the stream's counters in a recorder and tracks it until `untrack`. */
  track(info: NodeInfo, counters: StreamStats): SentConfig {
    const sent = new SentConfig(counters);
    this.streams.set(info.key, { info, connectTime: new Date().toISOString(), sent });
    return sent;
  }

  /** Forgets the stream, unless a newer stream of the same proxy replaced it. */
  untrack(info: NodeInfo, sent: SentConfig): void {
    if (this.streams.get(info.key)?.sent === sent) this.streams.delete(info.key);
  }

  proxy(key: string): ProxyXdsView | undefined {
    const t = this.streams.get(key);
    if (!t) return undefined;
    const resources = t.sent
      .held()
      .map((r) => ({ typeUrl: r.typeUrl, name: r.name, version: r.version, config: { '@type': r.typeUrl, ...toEnvoyJson(typeName(r.typeUrl), r.bytes) } }))
      .sort((a, b) => (a.typeUrl === b.typeUrl ? (a.name < b.name ? -1 : 1) : a.typeUrl < b.typeUrl ? -1 : 1));
    return { proxy: key, mesh: t.info.mesh, name: t.info.name, kind: t.info.kind, ...(t.info.userAgent ? { userAgent: t.info.userAgent } : {}), connectTime: t.connectTime, types: t.sent.typeViews(), resources };
  }
}
