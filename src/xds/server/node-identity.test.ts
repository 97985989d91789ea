import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../core/errors.js';
import type { Node } from '../../grpc/discovery-service.js';
import { nodeInfo } from './node-identity.js';

const node = (userAgent: string | undefined, metadata: Record<string, string> = {}): Node => ({
  id: 'default.web-1',
  ...(userAgent !== undefined ? { user_agent_name: userAgent } : {}),
  // as proto-loader decodes a Struct (oneofs: true sets `kind`)
  metadata: { fields: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, { kind: 'stringValue', stringValue: v }])) },
  cluster: '',
  locality: null,
});

describe('nodeInfo kind detection', () => {
  it('tells Envoy and both gRPC xDS clients apart by user agent', () => {
    expect(nodeInfo(node('envoy')).kind).toBe('envoy');
    expect(nodeInfo(node('gRPC Node Pure JS')).kind).toBe('proxyless');
    expect(nodeInfo(node('gRPC C-core linux Python')).kind).toBe('proxyless');
  });

  it('keeps the user agent name and version (which tell a proxyless client its load balancers), clipped', () => {
    expect(nodeInfo({ ...node('gRPC C-core linux Python'), user_agent_version: 'C-core 29.0.0 Python 1.51.1' }).userAgent).toEqual({ name: 'gRPC C-core linux Python', version: 'C-core 29.0.0 Python 1.51.1' });
    expect(nodeInfo(node('envoy')).userAgent).toEqual({ name: 'envoy', version: '' });
    expect(nodeInfo({ ...node('gRPC Node Pure JS'), user_agent_version: 'x'.repeat(100_000) }).userAgent?.version.length).toBeLessThan(200);
  });

  it('takes the kind from metadata when the user agent does not say, and refuses a contradiction', () => {
    expect(nodeInfo(node(undefined, { 'kuma.io/proxy-kind': 'proxyless' })).kind).toBe('proxyless');
    expect(nodeInfo(node('my-xds-client', { 'kuma.io/proxy-kind': 'envoy' })).kind).toBe('envoy');
    expect(nodeInfo(node('gRPC Node Pure JS', { 'kuma.io/proxy-kind': 'proxyless' })).kind).toBe('proxyless');
    expect(() => nodeInfo(node('envoy', { 'kuma.io/proxy-kind': 'proxyless' }))).toThrow(/contradicts user_agent_name "envoy"/);
    expect(() => nodeInfo(node('envoy', { 'kuma.io/proxy-kind': 'sidecar' }))).toThrow(/kuma.io\/proxy-kind "sidecar" is invalid/);
  });

  it('refuses a node it cannot classify instead of guessing', () => {
    for (const ua of [undefined, '', 'curl/8.0', 'grpc-node-js', 'Envoy']) {
      expect(() => nodeInfo(node(ua)), String(ua)).toThrow(BadRequestError);
      expect(() => nodeInfo(node(ua)), String(ua)).toThrow(/cannot tell the kind of data plane/);
    }
  });
});

describe('nodeInfo admin port', () => {
  it('reads dataplane.admin.port from the bootstrap metadata and ignores what is not a port', () => {
    expect(nodeInfo(node('envoy', { 'dataplane.admin.port': '30123' })).adminPort).toBe(30123);
    expect(nodeInfo(node('envoy')).adminPort).toBeUndefined();
    for (const bad of ['0', '65536', '-1', '9901x', ' 9901', '']) expect(nodeInfo(node('envoy', { 'dataplane.admin.port': bad })).adminPort, bad).toBeUndefined();
  });
});
