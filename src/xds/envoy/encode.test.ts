import { describe, expect, it } from 'vitest';
import { TYPE_URLS } from '../resource.js';
import { fromMillis, parseDuration } from './duration.js';
import { anyOf, contentVersion, encodeResource } from './encode.js';
import { envoyType } from './protos.js';

describe('parseDuration', () => {
  it('reads Kuma durations', () => {
    expect(parseDuration('5s')).toEqual({ seconds: 5 });
    expect(parseDuration('250ms')).toEqual({ seconds: 0, nanos: 250_000_000 });
    expect(parseDuration('1.5m')).toEqual({ seconds: 90 });
    expect(parseDuration('1h')).toEqual({ seconds: 3600 });
    expect(parseDuration('1m30s')).toEqual({ seconds: 90 });
    expect(parseDuration('0s')).toEqual({ seconds: 0 });
    // Everything the validators accept is generated, not dropped.
    expect(parseDuration('.5s')).toEqual({ seconds: 0, nanos: 500_000_000 });
    expect(parseDuration('100us')).toEqual({ seconds: 0, nanos: 100_000 });
    expect(parseDuration('0')).toEqual({ seconds: 0 });
    expect(parseDuration('5')).toBeUndefined();
    expect(parseDuration('abc')).toBeUndefined();
    expect(fromMillis(1500)).toEqual({ seconds: 1, nanos: 500_000_000 });
  });
});

describe('encodeResource', () => {
  const cluster = { name: 'backend', type: 'EDS', connect_timeout: { seconds: 5 }, eds_cluster_config: { eds_config: { ads: {} } } };

  it('encodes once and versions by content', () => {
    const a = encodeResource(TYPE_URLS.cluster, 'backend', cluster);
    const b = encodeResource(TYPE_URLS.cluster, 'backend', { ...cluster });
    const c = encodeResource(TYPE_URLS.cluster, 'backend', { ...cluster, connect_timeout: { seconds: 6 } });
    expect(a.version).toBe(b.version);
    expect(a.version).not.toBe(c.version);
    expect(a.version).toBe(contentVersion(a.bytes));
    expect(a.version).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const decoded = envoyType(TYPE_URLS.cluster).decode(a.bytes) as unknown as { name: string; connect_timeout: { seconds: unknown } };
    expect(decoded.name).toBe('backend');
    expect(Number(decoded.connect_timeout.seconds)).toBe(5);
  });

  it('encodes nested Any by its type', () => {
    const any = anyOf('envoy.extensions.filters.http.router.v3.Router', {});
    expect(any.type_url).toBe('type.googleapis.com/envoy.extensions.filters.http.router.v3.Router');
    const hcm = anyOf('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', {
      stat_prefix: 'x',
      http_filters: [{ name: 'envoy.filters.http.router', typed_config: any }],
    });
    const back = envoyType('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager').decode(hcm.value) as unknown as {
      http_filters: { typed_config: { type_url: string } }[];
    };
    expect(back.http_filters[0]?.typed_config.type_url).toBe(any.type_url);
  });

  it('refuses fields the Envoy type does not have', () => {
    expect(() => encodeResource(TYPE_URLS.cluster, 'x', { name: 'x', conect_timeout: { seconds: 1 } })).toThrow(/unknown field Cluster.conect_timeout/);
    expect(() => encodeResource(TYPE_URLS.cluster, 'x', { name: 'x', connect_timeout: { second: 1 } })).toThrow(/connect_timeout.second/);
  });
});
