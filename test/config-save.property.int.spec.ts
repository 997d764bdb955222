import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { TestSystem } from '@kite/testing';

/**
 * C6 over a space: thousands of generated bodies, valid and invalid, at the save route. Never a
 * 5xx; every 400 names a path for each problem; nothing is stored on a 4xx (the history grows by
 * exactly the number of 200s).
 */
const NUMBER = '+15550000001';
const route = `/v1/numbers/${encodeURIComponent(NUMBER)}`;

const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: bad });
const id = (known: string[]) => mostly(fc.constantFrom(...known), fc.oneof(fc.constantFrom('', 'x y', 'unknown-1'), fc.string({ maxLength: 8 })));
const time = mostly(fc.constantFrom('00:00', '08:00', '18:00', '23:59'), fc.oneof(fc.constantFrom('24:00', '8:00', '12:60', ''), fc.string({ maxLength: 5 })));
const target = fc.oneof(
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom('team', 'agent'), id: fc.string({ maxLength: 4 }) }) },
  fc.oneof(
  fc.record({ type: fc.constant('agent'), agentId: id(['ag-ana', 'ag-bruno']) }),
  fc.record({ type: fc.constant('group'), serviceId: id(['svc-sales']) }),
  fc.record({ type: fc.constant('bot'), botId: id(['bot-1']) }),
  ),
);
const condition = fc.record({ type: mostly(fc.constantFrom('no_reply', 'not_read', 'no_activity'), fc.constant('never')), afterSeconds: mostly(fc.integer({ min: 5, max: 86_400 }), fc.constantFrom(0, 4, 86_401, 1.5, -1)) });
const task = fc.oneof(
  fc.record({ type: fc.constant('send_message'), botId: id(['bot-1']), text: mostly(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom('', 'x'.repeat(1601))) }),
  fc.record({ type: fc.constant('add_members'), agentIds: fc.array(id(['ag-ana', 'ag-bruno']), { maxLength: 3 }) }),
);
const action = fc.record({ id: fc.option(fc.constantFrom('a1', 'a2', 'a 3'), { nil: undefined }), onlyOnce: mostly(fc.boolean(), fc.constant('yes' as never)), conditions: fc.array(condition, { maxLength: 2 }), task }, { requiredKeys: ['task'] });
const schedule = fc.record(
  {
    timeZone: mostly(fc.constantFrom('UTC', 'Europe/Berlin', 'America/Sao_Paulo', 'GMT-03:00', 'GMT+05:30'), fc.constantFrom('GMT+25:00', 'Mars/Olympus', '')),
    rules: fc.array(fc.record({ days: mostly(fc.constantFrom('weekdays', 'weekends', 'everyday', 'monday', 'sunday'), fc.constant('someday')), from: time, to: time }), { maxLength: 2 }),
    closures: fc.array(mostly(fc.constant('2026-12-25'), fc.constantFrom('2026-02-30', '25/12/2026')), { maxLength: 2 }),
  },
  { requiredKeys: ['timeZone', 'rules'] },
);
const body = fc.record(
  {
    linkedServiceId: id(['svc-sales']),
    workingHours: fc.record({ routing: target, schedule, actions: fc.array(action, { maxLength: 2 }) }, { requiredKeys: ['routing', 'schedule'] }),
    outOfHours: fc.record({ routing: target, actions: fc.array(action, { maxLength: 2 }) }, { requiredKeys: ['routing'] }),
  },
  { requiredKeys: ['linkedServiceId', 'workingHours', 'outOfHours'] },
);
const anyBody = fc.oneof({ weight: 8, arbitrary: body.map((b) => JSON.stringify(b)) }, { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) });

describe('C6 property: the save route under generated bodies', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ services: ['config-service'] });
    const directory = await system.api('acme', 'PUT', '/v1/directory', {
      numbers: [{ number: NUMBER, channels: ['sms'] }],
      services: [{ id: 'svc-sales', name: 'Sales', agentIds: ['ag-ana', 'ag-bruno'], dialplan: {} }],
      agents: [{ id: 'ag-ana', name: 'Ana' }, { id: 'ag-bruno', name: 'Bruno' }],
      bots: [{ id: 'bot-1', name: 'Bot' }],
    });
    expect(directory.status).toBe(200);
  });
  afterAll(async () => system?.stop());

  it('C6 5,000 bodies: never a 5xx, every 400 names a path, nothing stored on a 4xx', async () => {
    let saved = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(anyBody, async (raw) => {
        const res = await system.api('acme', 'PUT', route, raw);
        expect(res.status).toBeLessThan(500);
        if (res.status === 200) {
          saved++;
          return;
        }
        refused++;
        expect(res.status).toBe(400);
        const errors = (res.body as { errors?: { path: unknown; message: unknown }[] }).errors;
        expect(errors?.length).toBeGreaterThan(0);
        for (const e of errors!) {
          expect(typeof e.path === 'string' && e.path.startsWith('$')).toBe(true);
          expect(typeof e.message === 'string' && e.message.length > 0).toBe(true);
        }
      }),
      { numRuns: 5_000 },
    );
    const history = (await system.api('acme', 'GET', `${route}/history`)).body as unknown[];
    expect(history).toHaveLength(saved);
    expect(saved).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(1_000);
  }, 300_000);
});
