import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';

/**
 * Every rule family of Kuma's validation (kuma-facts §2) reached through the built daemon's REST API, with
 * Kuma's field paths and messages; nothing is written when a PUT is refused.
 */
let cp: CpProcess;
beforeAll(async () => {
  cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
});
afterAll(stopAll);

interface Cause {
  field: string;
  message: string;
}

const all = [{ match: { 'kuma.io/service': '*' } }];

async function refused(path: string, body: object): Promise<Cause[]> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const json = (await res.json()) as { title: string; details: string; causes: Cause[] };
  expect(res.status, JSON.stringify(json)).toBe(400);
  expect(json).toMatchObject({ title: 'Could not process a resource', details: 'Resource is not valid' });
  expect((await fetch(`${cp.apiUrl}${path}`)).status, `${path} was written`).toBe(404);
  return json.causes;
}

const INVALID_NAME = "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_' symbols.";

describe('Kuma validation rules over the REST API', () => {
  it('names', async () => {
    expect(await refused('/meshes/Bad.Mesh', { type: 'Mesh', name: 'Bad.Mesh' })).toEqual([{ field: 'name', message: INVALID_NAME }]);
    const tp = { type: 'TrafficPermission', mesh: 'default', name: 'UPPER', sources: all, destinations: all };
    expect(await refused('/meshes/default/traffic-permissions/UPPER', tp)).toEqual([{ field: 'name', message: INVALID_NAME }]);
  });

  it('selectors and tags', async () => {
    const tp = {
      type: 'TrafficPermission',
      mesh: 'default',
      name: 'tp',
      sources: [],
      destinations: [{ match: {} }, { match: { '': 'x', 'kuma.io/service': 'a' } }, { match: { version: 'v1' } }, { match: { 'bad key!': 'v', 'kuma.io/service': 'bad value!' } }],
    };
    expect(await refused('/meshes/default/traffic-permissions/tp', tp)).toEqual(
      expect.arrayContaining([
        { field: 'sources', message: 'must have at least one element' },
        { field: 'destinations[0].match', message: 'must have at least one tag' },
        { field: 'destinations[1].match', message: 'tag name must be non-empty' },
        { field: 'destinations[2].match', message: 'mandatory tag "kuma.io/service" is missing' },
        { field: 'destinations[3].match["bad key!"]', message: 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores' },
        // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
        { field: 'destinations[3].match["kuma.io/service"]', message: expect.stringMatching(/^tag value must consist of alphanumeric characters, dots, dashes and underscores/) },
      ]),
    );
  });

  it('TrafficRoute destinations and split', async () => {
    const tr = {
      type: 'TrafficRoute',
      mesh: 'default',
      name: 'tr',
      sources: all,
      destinations: [{ match: { 'kuma.io/service': '*', version: 'v1' } }],
      conf: { split: [{ weight: 10, destination: { version: 'v1' } }] },
    };
    expect(await refused('/meshes/default/traffic-routes/tr', tr)).toEqual(
      expect.arrayContaining([
        { field: 'destinations[0].match', message: 'must consist of exactly one tag "kuma.io/service"' },
        { field: 'conf.split[0].destination', message: 'mandatory tag "kuma.io/service" is missing' },
      ]),
    );
  });

  it('Dataplane inbound, outbound, gateway and protocol rules', async () => {
    const none = { type: 'Dataplane', mesh: 'default', name: 'dp-none', networking: { address: '10.0.0.1' } };
    expect(await refused('/meshes/default/dataplanes/dp-none', none)).toEqual([
      { field: 'networking', message: 'has to contain at least one inbound interface or gateway' },
    ]);
    const bad = {
      type: 'Dataplane',
      mesh: 'default',
      name: 'dp-bad',
      networking: { address: '10.0.0.1', inbound: [{ port: 70000, tags: { 'kuma.io/protocol': 'xyz' } }], outbound: [{ port: 0, tags: { 'kuma.io/service': 'b' } }] },
    };
    expect(await refused('/meshes/default/dataplanes/dp-bad', bad)).toEqual(
      expect.arrayContaining([
        { field: 'networking.inbound[0].port', message: 'port has to be in range of [1, 65535]' },
        { field: 'networking.inbound[0].tags["kuma.io/service"]', message: 'tag has to exist' },
        // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
        { field: 'networking.inbound[0].tags["kuma.io/protocol"]', message: expect.stringMatching(/^tag "kuma.io\/protocol" has an invalid value "xyz". Allowed values: /) },
        { field: 'networking.outbound[0].port', message: 'port has to be in range of [1, 65535]' },
      ]),
    );
  });

  it('Dataplane ingress rules', async () => {
    const inbound = (port: number): object => ({ port, tags: { 'kuma.io/service': 'ingress' } });
    const ingress = {
      type: 'Dataplane',
      mesh: 'default',
      name: 'ingress',
      networking: { address: '10.0.0.1', ingress: { publicAddress: '1.1.1.1' }, inbound: [inbound(10001), inbound(10002)], outbound: [{ port: 1000, tags: { 'kuma.io/service': 'x' } }] },
    };
    const causes = await refused('/meshes/default/dataplanes/ingress', ingress);
    expect(causes).toHaveLength(3);
    expect(causes.map((c) => c.field)).toEqual(expect.arrayContaining(['networking.ingress.publicPort']));
  });

  it('ExternalService and HealthCheck', async () => {
    const es = { type: 'ExternalService', mesh: 'default', name: 'es', networking: { address: 'httpbin.org:443' }, tags: { foo: 'bar' } };
    expect(await refused('/meshes/default/external-services/es', es)).toEqual([{ field: 'tags', message: 'mandatory tag "kuma.io/service" is missing' }]);
    const hc = { type: 'HealthCheck', mesh: 'default', name: 'hc', sources: all, destinations: all, conf: { interval: '10s' } };
    expect((await refused('/meshes/default/health-checks/hc', hc)).map((c) => c.field)).toContain('conf.timeout');
  });

  it('refuses to delete a mesh with dataplanes, and deletes it once they are gone', async () => {
    const put = (path: string, body: object): Promise<Response> =>
      fetch(`${cp.apiUrl}${path}`, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expect((await put('/meshes/busy', { type: 'Mesh', name: 'busy' })).status).toBe(201);
    const dp = { type: 'Dataplane', mesh: 'busy', name: 'dp', networking: { address: '10.0.0.1', inbound: [{ port: 80, tags: { 'kuma.io/service': 's' } }] } };
    expect((await put('/meshes/busy/dataplanes/dp', dp)).status).toBe(201);
    const res = await fetch(`${cp.apiUrl}/meshes/busy`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ causes: [{ field: 'mesh', message: 'unable to delete mesh, there are still some dataplanes attached' }] });
    expect((await fetch(`${cp.apiUrl}/meshes/busy/dataplanes/dp`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${cp.apiUrl}/meshes/busy`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${cp.apiUrl}/meshes/busy/traffic-routes/route-all-busy`)).status).toBe(404);
  });
});
