import type { SubscriptionTimes } from '../core/resources/subscriptions.js';

/** The shapes the GUI reads from the API (only the fields it shows). */

export type Tags = Readonly<Record<string, string>>;

export interface Counts {
  readonly online?: number;
  readonly offline?: number;
  readonly total?: number;
}

export interface MeshInsight {
  readonly name: string;
  readonly dataplanes?: Counts;
  readonly services?: { total?: number; internal?: number; external?: number };
  readonly policies?: Record<string, { total?: number }>;
  readonly backends?: { mtls?: string };
}

export interface GlobalInsights {
  readonly meshes?: { total?: number };
  readonly zones?: { controlPlanes?: Counts; zoneIngresses?: Counts };
  readonly dataplanes?: { standard?: Counts; gateway?: Counts };
  readonly services?: { total?: number };
  readonly policies?: { total?: number };
}

export interface ServiceInsight {
  readonly name: string;
  readonly serviceType: string;
  readonly status: string;
  readonly dataplanes?: Counts;
  readonly zones?: readonly string[];
}

export interface Subscription extends SubscriptionTimes {
  /** Data-plane subscriptions: the control-plane instance serving the stream. */
  readonly controlPlaneInstanceId?: string;
  /** Zone (KDS) subscriptions: the global instance holding the stream. */
  readonly globalInstanceId?: string;
  readonly status?: SubscriptionTimes['status'] & { total?: { responsesSent?: number; responsesAcknowledged?: number; responsesRejected?: number } };
}

export interface DataplaneOverview {
  readonly mesh: string;
  readonly name: string;
  readonly labels?: Tags;
  readonly dataplane: { networking?: { address?: string; inbound?: { port: number; tags: Tags }[]; outbound?: { port: number; tags?: Tags; service?: string }[]; gateway?: { tags: Tags } } };
  readonly dataplaneInsight?: { subscriptions?: readonly Subscription[] };
}

export interface ZoneOverview {
  readonly name: string;
  readonly zone?: { enabled?: boolean };
  readonly zoneInsight?: { subscriptions?: readonly Subscription[] };
}

export interface Selector {
  readonly match: Tags;
}

export interface Policy {
  readonly type: string;
  readonly mesh: string;
  readonly name: string;
  readonly sources?: readonly Selector[];
  readonly destinations?: readonly Selector[];
  readonly selectors?: readonly Selector[];
}

export interface PolicyType {
  readonly name: string;
  readonly path: string;
}

export interface MatchedPolicy {
  readonly type: string;
  readonly name: string;
  readonly attachments?: readonly { kind: string; name: string }[];
}

/** An item of `/meshes/{mesh}/dataplanes+policies`. */
export interface DataplanePolicies {
  readonly name: string;
  readonly policies: readonly MatchedPolicy[];
}

export interface CpConfig {
  readonly mode: 'standalone' | 'global' | 'remote';
  readonly multizone?: { remote?: { zone?: string } };
}
