import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestSystem } from '@kite/testing';
import { configureGroupNumber, NUMBER } from './fixtures.js';

const path = `/v1/numbers/${encodeURIComponent(NUMBER)}`;
const body = { linkedServiceId: 'svc-sales', workingHours: { routing: { type: 'group', serviceId: 'svc-sales' }, schedule: { timeZone: 'UTC', rules: [] } } };

/** The configuration routes the thin path uses; the whole API is its own issue. */
describe('configuration API', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ services: ['config-service'] });
    await configureGroupNumber(system, 'acme');
  });
  afterAll(async () => system?.stop());

  it('S1 refuses a request without a valid token (401) and a viewer who writes (403)', async () => {
    expect((await fetch(`${system.configApi}/v1/numbers`)).status).toBe(401);
    expect((await fetch(`${system.configApi}/v1/numbers`, { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    const viewer = await system.token('acme', 'viewer');
    expect((await fetch(`${system.configApi}/v1/numbers`, { headers: { authorization: `Bearer ${viewer}` } })).status).toBe(200);
    const write = await fetch(`${system.configApi}${path}`, { method: 'PUT', headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(write.status).toBe(403);
    expect(write.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('C6 S1 another tenant does not see the number (404)', async () => {
    expect((await system.api('other', 'GET', path)).status).toBe(404);
    expect((await system.api('other', 'PUT', path, body)).status).toBe(404);
  });

  it('C1 the list shows the number with its channels and status', async () => {
    const list = await system.api('acme', 'GET', '/v1/numbers');
    expect(list.body).toEqual([{ number: NUMBER, channels: ['sms', 'whatsapp'], status: 'configured', linkedServiceId: 'svc-sales', version: expect.any(Number) }]);
  });

  it('C6 a bad body answers 400 with every problem and a path each, and stores nothing', async () => {
    const before = await system.api('acme', 'GET', path);
    const bad = await system.api('acme', 'PUT', path, { linkedServiceId: 'svc-nope', workingHours: { routing: { type: 'agent', agentId: 'ag-nope' }, schedule: { timeZone: 'Mars/Olympus', rules: [] } } });
    expect(bad.status).toBe(400);
    const paths = (bad.body as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
    expect(paths).toEqual(['$.linkedServiceId', '$.workingHours.routing.agentId', '$.workingHours.schedule.timeZone']);
    expect(await system.api('acme', 'GET', path)).toEqual(before);
  });

  it('C7 a save with a stale version is refused with 412 and changes nothing', async () => {
    const current = await fetch(`${system.configApi}${path}`, { headers: { authorization: `Bearer ${await system.token('acme')}` } });
    const etag = current.headers.get('etag')!;
    const ok = await fetch(`${system.configApi}${path}`, { method: 'PUT', headers: { authorization: `Bearer ${await system.token('acme')}`, 'content-type': 'application/json', 'if-match': etag }, body: JSON.stringify(body) });
    expect(ok.status).toBe(200);
    const stale = await fetch(`${system.configApi}${path}`, { method: 'PUT', headers: { authorization: `Bearer ${await system.token('acme')}`, 'content-type': 'application/json', 'if-match': etag }, body: JSON.stringify(body) });
    expect(stale.status).toBe(412);
    const after = (await system.api('acme', 'GET', path)).body as { version: number };
    expect(`"${after.version}"`).toBe(ok.headers.get('etag'));
  });

  it('C9 removing the configuration makes the number not_configured again', async () => {
    const removed = await system.api('acme', 'DELETE', path);
    expect(removed.status).toBe(200);
    expect((removed.body as { status: string }).status).toBe('not_configured');
  });
});
