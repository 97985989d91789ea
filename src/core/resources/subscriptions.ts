/** The part of a discovery (xDS) or KDS subscription that says whether it is live. */
export interface SubscriptionTimes {
  readonly connectTime?: string;
  readonly disconnectTime?: string;
  readonly status?: { readonly lastUpdateTime?: string; readonly total?: { readonly responsesSent?: number; readonly responsesRejected?: number } };
}

/** Connected now: the latest subscription has a connectTime and no disconnectTime (Kuma's rule for insights). */
export function subscriptionsOnline(subscriptions: readonly SubscriptionTimes[] | undefined): boolean {
  const latest = subscriptions?.[subscriptions.length - 1];
  return latest !== undefined && !!latest.connectTime && !latest.disconnectTime;
}

/** What `kumactl inspect` and the insight endpoints show about a proxy's or zone's connection history. */
export interface SubscriptionSummary {
  readonly online: boolean;
  readonly lastConnected: string | undefined;
  readonly lastUpdated: string | undefined;
  readonly totalUpdates: number;
  readonly totalErrors: number;
}

export function summariseSubscriptions(subscriptions: readonly SubscriptionTimes[] | undefined): SubscriptionSummary {
  const subs = subscriptions ?? [];
  const latest = subs[subs.length - 1];
  let totalUpdates = 0;
  let totalErrors = 0;
  for (const s of subs) {
    totalUpdates += s.status?.total?.responsesSent ?? 0;
    totalErrors += s.status?.total?.responsesRejected ?? 0;
  }
  return { online: subscriptionsOnline(subs), lastConnected: latest?.connectTime, lastUpdated: latest?.status?.lastUpdateTime, totalUpdates, totalErrors };
}
