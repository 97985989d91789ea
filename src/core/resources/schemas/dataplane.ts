import { z } from 'zod';
import { SERVICE_TAG, type Tags } from '../well-known-tags.js';
import { isIpAddress, isIpOrDnsName } from './addresses.js';
import { availableServiceSchema, validateAvailableServices } from './available-services.js';
import { defineValidator } from './define.js';
import { booleanSchema, intSchema, isPort, looseObjectSchema, PORT_RANGE_MESSAGE, stringSchema } from './numbers.js';
import { FieldPath } from './path.js';
import { validateDataplaneMetrics } from './metrics-backend.js';
import { isUrlPath, URL_PATH_MESSAGE } from './paths.js';
import { tagsSchema, validateProtocolValue, validateTags } from './tags.js';
import type { Violations } from './violations.js';

const inboundSchema = z.object({
  port: intSchema.default(0),
  servicePort: intSchema.optional(),
  serviceAddress: stringSchema.optional(),
  address: stringSchema.optional(),
  tags: tagsSchema.default({}),
  health: z.object({ ready: booleanSchema.default(false) }).optional(),
  serviceProbe: looseObjectSchema.optional(),
});

const outboundSchema = z.object({
  address: stringSchema.optional(),
  port: intSchema.default(0),
  service: stringSchema.optional(),
  tags: tagsSchema.optional(),
});

export const dataplaneSchema = z.object({
  networking: z
    .object({
      address: stringSchema.default(''),
      advertisedAddress: stringSchema.optional(),
      inbound: z.array(inboundSchema).optional(),
      outbound: z.array(outboundSchema).optional(),
      gateway: z.object({ tags: tagsSchema.default({}) }).optional(),
      ingress: z
        .object({
          availableServices: z.array(availableServiceSchema).optional(),
          publicAddress: stringSchema.optional(),
          publicPort: intSchema.optional(),
        })
        .optional(),
      transparentProxying: z
        .object({
          redirectPortInbound: intSchema.optional(),
          redirectPortOutbound: intSchema.optional(),
          redirectPortInboundV6: intSchema.optional(),
          directAccessServices: z.array(stringSchema).optional(),
        })
        .optional(),
      /** Kuma 1.5+ (EnvoyAdmin): the port of Envoy's admin API, used by the bootstrap. */
      admin: z.object({ port: intSchema.default(0) }).optional(),
    })
    .default({ address: '' }),
  metrics: looseObjectSchema.optional(),
  probes: z
    .object({
      port: intSchema.optional(),
      endpoints: z.array(z.object({ inboundPort: intSchema.default(0), inboundPath: stringSchema.default(''), path: stringSchema.default('') })).optional(),
    })
    .optional(),
});

export type DataplaneSpec = z.output<typeof dataplaneSchema>;
type Networking = DataplaneSpec['networking'];
type Inbound = NonNullable<Networking['inbound']>[number];
type Outbound = NonNullable<Networking['outbound']>[number];

const ADDRESS_MESSAGE = 'address has to be valid IP address or domain name';
const DIFFER_MESSAGE = 'serviceAddress and servicePort has to differ from address and port';

function validatePortField(path: FieldPath, port: number | undefined, v: Violations): void {
  if (port !== undefined && !isPort(port)) v.add(path, PORT_RANGE_MESSAGE);
}

function validateServiceTag(path: FieldPath, tags: Tags, v: Violations): void {
  if (!(SERVICE_TAG in tags)) v.add(path.key(SERVICE_TAG), 'tag has to exist');
}

function validateInbound(path: FieldPath, inbound: Inbound, dpAddress: string, v: Violations): void {
  if (!isPort(inbound.port)) v.add(path.field('port'), PORT_RANGE_MESSAGE);
  const servicePort = inbound.servicePort ?? 0;
  if (servicePort < 0 || servicePort > 65535) v.add(path.field('servicePort'), 'servicePort has to be in range of [0, 65535]');
  const sameAsListener = servicePort === 0 || servicePort === inbound.port;
  if (inbound.serviceAddress) {
    if (!isIpAddress(inbound.serviceAddress)) v.add(path.field('serviceAddress'), 'serviceAddress has to be valid IP address');
    if (inbound.serviceAddress === dpAddress && sameAsListener) v.add(path.field('serviceAddress'), DIFFER_MESSAGE);
  }
  if (inbound.address) {
    if (!isIpAddress(inbound.address)) v.add(path.field('address'), 'address has to be valid IP address');
    if (inbound.address === inbound.serviceAddress && sameAsListener) v.add(path.field('serviceAddress'), DIFFER_MESSAGE);
  }
  const tags = path.field('tags');
  validateServiceTag(tags, inbound.tags, v);
  validateProtocolValue(tags, inbound.tags, v);
  validateTags(tags, inbound.tags, v);
}

function validateOutbound(path: FieldPath, outbound: Outbound, v: Violations): void {
  if (!isPort(outbound.port)) v.add(path.field('port'), PORT_RANGE_MESSAGE);
  if (outbound.address && !isIpAddress(outbound.address)) v.add(path.field('address'), 'address has to be valid IP address');
  const tags = outbound.tags ?? {};
  if (Object.keys(tags).length === 0) {
    if (!outbound.service) v.add(path.field('service'), 'cannot be empty');
    return;
  }
  validateServiceTag(path.field('tags'), tags, v);
  validateTags(path.field('tags'), tags, v);
}

function validateIngress(path: FieldPath, n: Networking, v: Violations): void {
  if (n.gateway) v.add(path, 'gateway cannot be defined in the ingress mode');
  if ((n.outbound ?? []).length > 0) v.add(path, 'dataplane cannot have outbounds in the ingress mode');
  const inbounds = n.inbound ?? [];
  if (inbounds.length !== 1) v.add(path, 'dataplane must have one inbound interface');
  inbounds.forEach((inbound, i) => {
    const p = path.field('inbound').index(i);
    if (!isPort(inbound.port)) v.add(p.field('port'), PORT_RANGE_MESSAGE);
    if (inbound.servicePort) v.add(p.field('servicePort'), 'cannot be defined in the ingress mode');
    if (inbound.serviceAddress) v.add(p.field('serviceAddress'), 'cannot be defined in the ingress mode');
    if (inbound.address) v.add(p.field('address'), 'cannot be defined in the ingress mode');
    validateTags(p.field('tags'), inbound.tags, v);
  });
  const ingress = n.ingress ?? {};
  const ip = path.field('ingress');
  if (ingress.publicAddress && ingress.publicPort === undefined) v.add(ip.field('publicPort'), 'has to be defined with publicAddress');
  if (!ingress.publicAddress && ingress.publicPort !== undefined) v.add(ip.field('publicAddress'), 'has to be defined with publicPort');
  if (ingress.publicAddress && !isIpOrDnsName(ingress.publicAddress)) v.add(ip.field('publicAddress'), ADDRESS_MESSAGE);
  validatePortField(ip.field('publicPort'), ingress.publicPort, v);
  validateAvailableServices(ip.field('availableServices'), ingress.availableServices ?? [], v);
}

function validateSidecarOrGateway(path: FieldPath, n: Networking, v: Violations): void {
  const inbounds = n.inbound ?? [];
  if (inbounds.length === 0 && !n.gateway) v.add(path, 'has to contain at least one inbound interface or gateway');
  if (inbounds.length > 0 && n.gateway) v.add(path, 'inbound cannot be defined both with gateway');
  if (n.gateway) {
    const tags = path.field('gateway').field('tags');
    validateServiceTag(tags, n.gateway.tags, v);
    validateTags(tags, n.gateway.tags, v);
  }
  inbounds.forEach((inbound, i) => validateInbound(path.field('inbound').index(i), inbound, n.address, v));
  (n.outbound ?? []).forEach((outbound, i) => validateOutbound(path.field('outbound').index(i), outbound, v));
}

function validateTransparentProxying(path: FieldPath, tp: Networking['transparentProxying'], v: Violations): void {
  if (!tp) return;
  validatePortField(path.field('redirectPortInbound'), tp.redirectPortInbound, v);
  validatePortField(path.field('redirectPortOutbound'), tp.redirectPortOutbound, v);
  validatePortField(path.field('redirectPortInboundV6'), tp.redirectPortInboundV6, v);
}

const LOOPBACK = '127.0.0.1';
const ANY_ADDRESS = '0.0.0.0';

/**
 * Envoy's admin API binds 127.0.0.1:port (Kuma's dataplane_validator): no inbound listener or local application
 * and no outbound may use that address and port.
 */
function validateAdmin(path: FieldPath, n: Networking, v: Violations): void {
  if (!n.admin) return;
  const port = n.admin.port;
  if (!isPort(port)) {
    v.add(path, PORT_RANGE_MESSAGE);
    return;
  }
  const onLoopback = (address: string): boolean => address === LOOPBACK || address === ANY_ADDRESS;
  const inboundUses = (n.inbound ?? []).some(
    (i) => (i.port === port && onLoopback(i.address ?? n.address)) || ((i.servicePort ?? i.port) === port && onLoopback(i.serviceAddress ?? LOOPBACK)),
  );
  if (inboundUses) v.add(path, 'must differ from inbound');
  if ((n.outbound ?? []).some((o) => o.port === port && onLoopback(o.address ?? LOOPBACK))) v.add(path, 'must differ from outbound');
}

function validateProbes(path: FieldPath, probes: DataplaneSpec['probes'], v: Violations): void {
  if (!probes) return;
  validatePortField(path.field('port'), probes.port, v);
  (probes.endpoints ?? []).forEach((e, i) => {
    const p = path.field('endpoints').index(i);
    if (!isPort(e.inboundPort)) v.add(p.field('inboundPort'), PORT_RANGE_MESSAGE);
    if (!isUrlPath(e.inboundPath)) v.add(p.field('inboundPath'), URL_PATH_MESSAGE);
    if (!isUrlPath(e.path)) v.add(p.field('path'), URL_PATH_MESSAGE);
  });
}

export const validateDataplane = defineValidator(dataplaneSchema, (spec, v) => {
  const n = spec.networking;
  const path = FieldPath.root('networking');
  if (!isIpOrDnsName(n.address)) v.add(path.field('address'), ADDRESS_MESSAGE);
  if (n.advertisedAddress && !isIpOrDnsName(n.advertisedAddress)) v.add(path.field('advertisedAddress'), ADDRESS_MESSAGE);
  if (n.ingress) validateIngress(path, n, v);
  else validateSidecarOrGateway(path, n, v);
  validateTransparentProxying(path.field('transparentProxying'), n.transparentProxying, v);
  validateAdmin(path.field('admin').field('port'), n, v);
  validateProbes(FieldPath.root('probes'), spec.probes, v);
  validateDataplaneMetrics(FieldPath.root('metrics'), spec.metrics, v);
});
