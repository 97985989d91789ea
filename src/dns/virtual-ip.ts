import type { ResourceOf } from '../core/resources/typed-resource.js';
import { ipToInt } from './cidr.js';

/** A VirtualIP row read back from the store (the spec passed its schema and validator when written). */
export interface VipRow {
  /** Resource name (`240-0-0-1`). */
  readonly name: string;
  /** Store version, for optimistic concurrency on updates. */
  readonly version: number;
  readonly ip: string;
  readonly ipInt: number;
  /** Set while the VIP belongs to a service. */
  readonly service?: string;
  /** Epoch ms the VIP was freed (quarantine start); set only when `service` is absent. */
  readonly freedAt?: number;
  /** The service that held it before it was freed (label `FORMER_SERVICE_LABEL`). */
  readonly formerService?: string;
}

/** Label on a freed VirtualIP naming its last service, so that service gets its VIP back during quarantine. */
export const FORMER_SERVICE_LABEL = 'kuma.io/former-service';

/** The row of a VirtualIP, or undefined when its `ip` is not an IPv4 address (the schema defaults it to ''). */
export function toVipRow(r: ResourceOf<'VirtualIP'>): VipRow | undefined {
  const { spec } = r;
  const ipInt = ipToInt(spec.ip);
  if (ipInt === undefined) return undefined;
  const service = spec.service !== undefined && spec.service !== '' ? spec.service : undefined;
  const freedMs = spec.freedAt !== undefined ? Date.parse(spec.freedAt) : NaN;
  const former = r.meta.labels?.[FORMER_SERVICE_LABEL];
  return {
    name: r.meta.name,
    version: r.meta.version,
    ip: spec.ip,
    ipInt,
    ...(service !== undefined ? { service } : {}),
    ...(service === undefined ? { freedAt: Number.isNaN(freedMs) ? 0 : freedMs } : {}),
    ...(service === undefined && former ? { formerService: former } : {}),
  };
}
