import { z } from 'zod';
import { defineValidator } from './define.js';
import { looseObjectSchema, stringSchema, uint32Schema } from './numbers.js';
import { timestampSchema } from './timestamps.js';

const counter = uint32Schema.default(0);
export const statsSchema = z.object({ responsesSent: counter, responsesAcknowledged: counter, responsesRejected: counter });
export type DiscoveryTypeStats = z.output<typeof statsSchema>;
const zeroStats: Readonly<DiscoveryTypeStats> = { responsesSent: 0, responsesAcknowledged: 0, responsesRejected: 0 };
const versionMap = z.record(z.string(), stringSchema);

export const discoverySubscriptionSchema = z.object({
  id: stringSchema,
  controlPlaneInstanceId: stringSchema,
  connectTime: timestampSchema,
  disconnectTime: timestampSchema.optional(),
  status: z
    .object({
      lastUpdateTime: timestampSchema.optional(),
      total: statsSchema.default(zeroStats),
      cds: statsSchema.optional(),
      eds: statsSchema.optional(),
      lds: statsSchema.optional(),
      rds: statsSchema.optional(),
      /** Beyond Kuma: why the control plane cannot generate the proxy's configuration now (it keeps the last one sent). */
      configError: stringSchema.optional(),
    })
    .default({ total: zeroStats }),
  version: z.object({ kumaDp: versionMap.optional(), envoy: versionMap.optional() }).optional(),
});

export const kdsSubscriptionSchema = z.object({
  id: stringSchema,
  globalInstanceId: stringSchema,
  connectTime: timestampSchema,
  disconnectTime: timestampSchema.optional(),
  status: z
    .object({
      lastUpdateTime: timestampSchema.optional(),
      total: statsSchema.default(zeroStats),
      stat: z.record(z.string(), statsSchema).default({}),
    })
    .default({ total: zeroStats, stat: {} }),
  version: z.object({ kumaCp: versionMap.optional() }).optional(),
});

export const dataplaneInsightSchema = z.object({
  subscriptions: z.array(discoverySubscriptionSchema).default([]),
  mTLS: looseObjectSchema.optional(),
});

export const zoneInsightSchema = z.object({ subscriptions: z.array(kdsSubscriptionSchema).default([]) });

/** Written by the control plane only: checked for shape, which is all there is to check. */
export const validateDataplaneInsight = defineValidator(dataplaneInsightSchema);
/** Kuma's ZoneIngressInsight has the same shape as DataplaneInsight (xDS subscriptions). */
export const validateZoneIngressInsight = defineValidator(dataplaneInsightSchema);
export const validateZoneInsight = defineValidator(zoneInsightSchema);
