import type * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { encodeDeltaDiscoveryResponse, encodeDiscoveryResponse, frameSotwResources, reusingDiscoveryResponseEncoder } from './ads-codec.js';
import {
  adsServerDefinition,
  adsServiceDefinition,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
} from './discovery-service.js';

const std = adsServiceDefinition();
const sotwStd = std['StreamAggregatedResources'] as grpc.MethodDefinition<DiscoveryRequest, DiscoveryResponse>;
const deltaStd = std['DeltaAggregatedResources'] as grpc.MethodDefinition<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;

const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const CLA = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';

function bytes(len: number, seed: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

const small = bytes(10, 1);
const empty = new Uint8Array(0);
const at127 = bytes(127, 2);
const at128 = bytes(128, 3);
const large = bytes(20_000, 4);
const huge = bytes(70_000, 5);

function checkSotw(msg: DiscoveryResponse): void {
  const expected = sotwStd.responseSerialize(msg);
  const actual = encodeDiscoveryResponse(msg);
  expect(sotwStd.responseDeserialize(actual)).toEqual(sotwStd.responseDeserialize(expected));
  expect(actual.equals(expected)).toBe(true);
}

function checkDelta(msg: DeltaDiscoveryResponse): void {
  const expected = deltaStd.responseSerialize(msg);
  const actual = encodeDeltaDiscoveryResponse(msg);
  expect(deltaStd.responseDeserialize(actual)).toEqual(deltaStd.responseDeserialize(expected));
  expect(actual.equals(expected)).toBe(true);
}

describe('ADS response encoders', () => {
  it('the server definition uses them', () => {
    const def = adsServerDefinition();
    const msg: DiscoveryResponse = { version_info: 'v', resources: [{ type_url: CLUSTER, value: large }], type_url: CLUSTER, nonce: '1' };
    expect(def['StreamAggregatedResources']?.responseSerialize(msg).equals(encodeDiscoveryResponse(msg))).toBe(true);
    expect(def['DeltaAggregatedResources']?.responseSerialize).toBe(encodeDeltaDiscoveryResponse);
    expect(def['StreamAggregatedResources']?.path).toBe(sotwStd.path);
  });

  it('SotW: byte-identical to protobufjs', () => {
    const cp = { identifier: 'kuma-cp-1' };
    checkSotw({ version_info: '', resources: [], type_url: '', nonce: '' });
    checkSotw({ version_info: 'v1', resources: [], type_url: CLUSTER, nonce: '1', control_plane: cp });
    checkSotw({ version_info: 'v1', resources: [], type_url: CLUSTER, nonce: '1', control_plane: { identifier: '' } });
    checkSotw({
      version_info: 'abc',
      resources: [small, empty, at127, at128, large].map((value) => ({ type_url: CLUSTER, value })),
      type_url: CLUSTER,
      nonce: '42',
      control_plane: cp,
    });
    checkSotw({ version_info: 'verß-✓-😀', resources: [{ type_url: CLA, value: huge }], type_url: CLA, nonce: 'ñ', control_plane: { identifier: 'cp-日本' } });
    // The same bytes under another type URL: the cached framing must not be reused.
    checkSotw({ version_info: 'x', resources: [{ type_url: CLA, value: small }, { type_url: CLUSTER, value: small }], type_url: CLA, nonce: '2' });
    // Repeated (cached) encodings stay identical.
    const msg: DiscoveryResponse = { version_info: 'r', resources: [{ type_url: CLUSTER, value: large }], type_url: CLUSTER, nonce: '3' };
    checkSotw(msg);
    checkSotw(msg);
  });

  it('SotW: the reusing encoder gives the same bytes, each valid until its next call', () => {
    const encode = reusingDiscoveryResponseEncoder();
    const msgs: DiscoveryResponse[] = [
      { version_info: 'a', resources: [{ type_url: CLUSTER, value: huge }], type_url: CLUSTER, nonce: '1' },
      { version_info: 'b', resources: [{ type_url: CLUSTER, value: small }], type_url: CLUSTER, nonce: '2', control_plane: { identifier: 'cp' } },
      { version_info: 'c', framed: [frameSotwResources([{ type_url: CLA, value: large }])], resources: [{ type_url: CLA, value: at128 }], type_url: CLA, nonce: '3' },
      { version_info: 'd', resources: [], type_url: CLUSTER, nonce: '4' },
    ];
    for (const m of msgs) expect(Buffer.from(encode(m)).equals(encodeDiscoveryResponse(m))).toBe(true);
  });

  it('SotW: resources framed in chunks encode as the same resources listed', () => {
    const all = [small, empty, at127, at128, large, huge].map((value) => ({ type_url: CLUSTER, value }));
    const listed: DiscoveryResponse = { version_info: 'v', resources: all, type_url: CLUSTER, nonce: '5', control_plane: { identifier: 'cp' } };
    const expected = sotwStd.responseSerialize(listed);
    // Chunks first, then the listed rest, in that order on the wire.
    for (const cut of [0, 1, 3, all.length]) {
      const framed = [frameSotwResources(all.slice(0, cut)), frameSotwResources([])];
      const actual = encodeDiscoveryResponse({ ...listed, framed, resources: all.slice(cut) });
      expect(actual.equals(expected)).toBe(true);
    }
    const twoChunks = encodeDiscoveryResponse({ ...listed, framed: [frameSotwResources(all.slice(0, 2)), frameSotwResources(all.slice(2))], resources: [] });
    expect(twoChunks.equals(expected)).toBe(true);
  });

  it('delta: byte-identical to protobufjs', () => {
    const cp = { identifier: 'kuma-cp-1' };
    checkDelta({ system_version_info: '', resources: [], type_url: '', removed_resources: [], nonce: '' });
    checkDelta({ system_version_info: 'sv', resources: [], type_url: CLUSTER, removed_resources: ['a', '', 'ünïcode-名'], nonce: '7', control_plane: cp });
    const resources = [small, empty, at127, at128, large, huge].map((value, i) => ({
      name: i === 1 ? '' : `cluster-${i}-✓`,
      version: i === 2 ? '' : `v${i}`,
      resource: { type_url: CLUSTER, value },
    }));
    checkDelta({ system_version_info: 'sv2', resources, type_url: CLUSTER, removed_resources: ['gone'], nonce: '8', control_plane: cp });
    checkDelta({ system_version_info: 'sv2', resources, type_url: CLUSTER, removed_resources: [], nonce: '9', control_plane: cp });
    // Same bytes, another name or version: not the cached framing.
    checkDelta({
      system_version_info: 'sv3',
      resources: [
        { name: 'other', version: 'v0', resource: { type_url: CLUSTER, value: small } },
        { name: 'cluster-0-✓', version: 'v9', resource: { type_url: CLUSTER, value: small } },
      ],
      type_url: CLUSTER,
      removed_resources: [],
      nonce: '10',
    });
  });
});
