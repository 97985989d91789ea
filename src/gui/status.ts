import { subscriptionsOnline } from '../core/resources/subscriptions.js';
import { badge } from './dom.js';
import type { Subscription } from './model.js';

/** Online/offline as the API's insights decide it (the same rule, shared with the control plane). */
export function onlineBadge(subscriptions: readonly Subscription[] | undefined): HTMLSpanElement {
  return subscriptionsOnline(subscriptions) ? badge('online', 'ok') : badge('offline', 'bad');
}

/** xDS delivery of the latest subscription: responses sent, ACKed and NACKed. */
export function xdsStatus(subscriptions: readonly Subscription[] | undefined): HTMLSpanElement {
  const latest = subscriptions?.[subscriptions.length - 1];
  const t = latest?.status?.total;
  if (!latest || !t) return badge('never connected', 'off');
  const text = `sent ${t.responsesSent ?? 0} · ACK ${t.responsesAcknowledged ?? 0} · NACK ${t.responsesRejected ?? 0}`;
  return badge(text, (t.responsesRejected ?? 0) > 0 ? 'warn' : 'ok');
}

export function healthBadge(status: string): HTMLSpanElement {
  return badge(status, status === 'online' ? 'ok' : status === 'offline' ? 'bad' : 'warn');
}

export const tagText = (tags: Readonly<Record<string, string>> | undefined): string =>
  Object.entries(tags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
