import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestSystem } from '@kite/testing';

/** The administrators' API over HTTP, rule by rule (C1–C9, S1), with the override and the simulation. */
const N1 = '+15550000001';
const N2 = '+15550000002';
const N3 = '+15550000003';
const WA_ONLY = '+15550000004';
const at = (n: string) => `/v1/numbers/${encodeURIComponent(n)}`;

const directory = {
  numbers: [{ number: N1, channels: ['sms', 'whatsapp'] }, { number: N2, channels: ['sms'] }, { number: N3, channels: ['sms'] }, { number: WA_ONLY, channels: ['whatsapp'] }],
  services: [{ id: 'svc-sales', name: 'Sales', agentIds: ['ag-ana', 'ag-bruno'], dialplan: { smsNumber: N2 } }, { id: 'svc-support', name: 'Support', agentIds: ['ag-carla'], dialplan: {} }],
  agents: [{ id: 'ag-ana', name: 'Ana' }, { id: 'ag-bruno', name: 'Bruno' }, { id: 'ag-carla', name: 'Carla' }],
  bots: [{ id: 'bot-1', name: 'Night bot' }],
};

const valid = () => ({
  linkedServiceId: 'svc-sales',
  workingHours: {
    routing: { type: 'group', serviceId: 'svc-sales' },
    schedule: { timeZone: 'America/New_York', rules: [{ days: 'weekdays', from: '08:00', to: '18:00' }], closures: ['2026-12-25'] },
    actions: [{ onlyOnce: true, conditions: [{ type: 'no_reply', afterSeconds: 900 }], task: { type: 'send_message', botId: 'bot-1', text: 'We will get back to you.' } }],
  },
  outOfHours: { routing: { type: 'bot', botId: 'bot-1' }, actions: [{ conditions: [{ type: 'not_read', afterSeconds: 300 }], task: { type: 'add_members', agentIds: ['ag-carla'] }, onlyOnce: false }] },
});

type View = { status: string; version: number; configuration?: { workingHours: { actions: { id: string }[] }; outOfHours?: { actions: { id: string }[] } }; override?: unknown };
type ProblemBody = { status: number; errors?: { path: string; message: string }[] };

describe('configuration API', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ services: ['config-service'] });
    expect((await system.api('acme', 'PUT', '/v1/directory', directory)).status).toBe(200);
  });
  afterAll(async () => system?.stop());

  describe('S1 tokens and roles', () => {
    it('S1 refuses a request without a token, with a bad one, or one signed with another secret (401)', async () => {
      expect((await fetch(`${system.configApi}/v1/numbers`)).status).toBe(401);
      expect((await fetch(`${system.configApi}/v1/numbers`, { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
      const forged = (await system.token('acme')).split('.').slice(0, 2).join('.') + '.c2lnbmF0dXJl';
      expect((await fetch(`${system.configApi}/v1/numbers`, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
    });

    it('S1 a viewer reads but every write is refused (403) and changes nothing', async () => {
      const viewer = { role: 'viewer' as const };
      expect((await system.api('acme', 'GET', '/v1/numbers', undefined, viewer)).status).toBe(200);
      expect((await system.api('acme', 'GET', '/v1/directory', undefined, viewer)).status).toBe(200);
      const writes: [string, string, unknown][] = [
        ['PUT', '/v1/directory', directory],
        ['PUT', at(N1), valid()],
        ['DELETE', at(N1), undefined],
        ['PUT', `${at(N1)}/override`, { mode: 'closed' }],
        ['DELETE', `${at(N1)}/override`, undefined],
        ['POST', '/v1/migrations/call-groups', { callGroups: [{ serviceId: 'svc-sales', numbers: [N3] }] }],
      ];
      for (const [method, route, body] of writes) {
        const res = await system.api('acme', method, route, body, viewer);
        expect([method, route, res.status]).toEqual([method, route, 403]);
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
      expect(((await system.api('acme', 'GET', at(N1))).body as View).status).toBe('not_configured');
    });
  });

  describe('C1 C2 C3 C4 C5 C6 saving', () => {
    it('C1 lists every number with its channels and status', async () => {
      const list = await system.api('acme', 'GET', '/v1/numbers');
      expect(list.body).toEqual([
        { number: N1, channels: ['sms', 'whatsapp'], status: 'not_configured' },
        { number: N2, channels: ['sms'], status: 'not_configured' },
        { number: N3, channels: ['sms'], status: 'not_configured' },
        { number: WA_ONLY, channels: ['whatsapp'], status: 'not_configured' },
      ]);
    });

    it('C6 an unknown number is 404', async () => {
      expect((await system.api('acme', 'GET', at('+15559999999'))).status).toBe(404);
      expect((await system.api('acme', 'PUT', at('+15559999999'), valid())).status).toBe(404);
    });

    it('C2 C3 C4 C5 C6 answers 400 with every problem at once, a path each, and stores nothing', async () => {
      const bad = valid();
      bad.linkedServiceId = 'svc-nope';
      bad.workingHours.routing = { type: 'agent', agentId: 'ag-nope' } as never;
      bad.workingHours.schedule.timeZone = 'Mars/Olympus';
      bad.outOfHours.actions[0]!.task = { type: 'add_members', agentIds: ['ag-nope'] };
      bad.workingHours.actions[0]!.conditions.push({ type: 'no_reply', afterSeconds: 60 });
      const res = await system.api('acme', 'PUT', at(N1), bad);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect((res.body as ProblemBody).errors!.map((e) => e.path).sort()).toEqual(
        ['$.linkedServiceId', '$.outOfHours.actions[0].task.agentIds[0]', '$.workingHours.actions[0].conditions[1].type', '$.workingHours.routing.agentId', '$.workingHours.schedule.timeZone'].sort(),
      );
      expect(((await system.api('acme', 'GET', at(N1))).body as View).status).toBe('not_configured');
    });

    it('C4 C5 refuses malformed shapes: times, days, dates, durations, too many conditions or actions, a missing id', async () => {
      const base = valid();
      const bad = {
        ...base,
        workingHours: {
          ...base.workingHours,
          schedule: { ...base.workingHours.schedule, rules: [{ days: 'someday', from: '25:00', to: '8am' }], closures: ['2026-13-45'] },
          actions: Array.from({ length: 21 }, () => base.workingHours.actions[0]),
        },
        outOfHours: {
          routing: { type: 'bot' },
          actions: [{ ...base.outOfHours.actions[0], conditions: [{ type: 'no_reply', afterSeconds: 4 }, { type: 'not_read', afterSeconds: 86_401 }, { type: 'no_activity', afterSeconds: 5 }, { type: 'no_reply', afterSeconds: 5 }] }],
        },
      };
      const res = await system.api('acme', 'PUT', at(N1), bad);
      expect(res.status).toBe(400);
      const paths = (res.body as ProblemBody).errors!.map((e) => e.path);
      for (const p of ['$.workingHours.schedule.rules[0].days', '$.workingHours.schedule.rules[0].from', '$.workingHours.schedule.rules[0].to', '$.workingHours.schedule.closures[0]', '$.workingHours.actions', '$.outOfHours.actions[0].conditions', '$.outOfHours.routing.botId']) {
        expect(paths).toContain(p);
      }
      expect(((await system.api('acme', 'GET', at(N1))).body as View).status).toBe('not_configured');
    });

    it('refuses what the stores cannot keep or a subject cannot carry (a NUL, an unpaired surrogate, a year out of range, an id with a dot), with its path, and stores nothing', async () => {
      const base = valid();
      const cases: [unknown, string][] = [
        [{ ...base, workingHours: { ...base.workingHours, actions: [{ ...base.workingHours.actions[0], task: { type: 'send_message', botId: 'bot-1', text: 'hi\u0000' } }] } }, '$.workingHours.actions[0].task.text'],
        [{ ...base, workingHours: { ...base.workingHours, schedule: { ...base.workingHours.schedule, timeZone: 'Europe/Lisbon\ud800' } } }, '$.workingHours.schedule.timeZone'],
        [{ ...base, workingHours: { ...base.workingHours, schedule: { ...base.workingHours.schedule, closures: ['0000-01-01'] } } }, '$.workingHours.schedule.closures[0]'],
        [{ ...base, linkedServiceId: 'svc.sales' }, '$.linkedServiceId'],
      ];
      for (const [body, path] of cases) {
        const res = await system.api('acme', 'PUT', at(N1), body);
        expect([path, res.status, (res.body as ProblemBody).errors?.map((e) => e.path)]).toEqual([path, 400, [path]]);
      }
      const directoryRes = await system.api('acme', 'PUT', '/v1/directory', { ...directory, agents: [...directory.agents, { id: 'ag-dora', name: 'Dora\u0000' }] });
      expect([directoryRes.status, (directoryRes.body as ProblemBody).errors]).toEqual([400, [{ path: '$.agents[3].name', message: 'holds a character that cannot be stored (NUL, or an unpaired UTF-16 surrogate)' }]]);
      const inPath = await system.api('acme', 'GET', `/v1/numbers/%2B1555%00`);
      expect(inPath.status).toBe(400);
      expect(((await system.api('acme', 'GET', at(N1))).body as View).status).toBe('not_configured');
      expect(((await system.api('acme', 'GET', '/v1/directory')).body as { agents: unknown[] }).agents).toHaveLength(3);
    });

    it('C4 requires the out-of-hours part when the schedule has rules', async () => {
      const { outOfHours: _, ...body } = valid();
      const res = await system.api('acme', 'PUT', at(N1), body);
      expect((res.body as ProblemBody).errors).toEqual([{ path: '$.outOfHours', message: 'is required when the schedule has rules' }]);
    });

    it('C2 C3 C5 a valid save is configured, gives every action a stable id, and keeps ids sent back', async () => {
      const first = await system.api('acme', 'PUT', at(N1), valid());
      expect(first.status).toBe(200);
      const view = first.body as View;
      expect(view.status).toBe('configured');
      const ids = [...view.configuration!.workingHours.actions, ...view.configuration!.outOfHours!.actions].map((a) => a.id);
      expect(ids.every((id) => /^act_/.test(id))).toBe(true);
      const again = valid();
      (again.workingHours.actions[0] as { id?: string }).id = ids[0];
      const second = (await system.api('acme', 'PUT', at(N1), again)).body as View;
      expect(second.configuration!.workingHours.actions[0]!.id).toBe(ids[0]);
      expect(second.configuration!.outOfHours!.actions[0]!.id).not.toBe(ids[1]);
      // C1: the list shows it at a glance, both periods' routing included (extension).
      expect((await system.api('acme', 'GET', '/v1/numbers')).body).toContainEqual({
        number: N1,
        channels: ['sms', 'whatsapp'],
        status: 'configured',
        linkedServiceId: 'svc-sales',
        routing: { workingHours: { type: 'group', serviceId: 'svc-sales' }, outOfHours: { type: 'bot', botId: 'bot-1' } },
        version: second.version,
      });
    });
  });

  describe('C7 versions and history', () => {
    it('C7 answers the version as ETag; a save with a stale If-Match is 412 and changes nothing', async () => {
      const read = await system.api('acme', 'GET', at(N1));
      const etag = read.headers.get('etag')!;
      expect(etag).toBe(`"${(read.body as View).version}"`);
      const saved = await system.api('acme', 'PUT', at(N1), valid(), { headers: { 'if-match': etag } });
      expect(saved.status).toBe(200);
      const stale = await system.api('acme', 'PUT', at(N1), { ...valid(), linkedServiceId: 'svc-support' }, { headers: { 'if-match': etag } });
      expect(stale.status).toBe(412);
      const after = await system.api('acme', 'GET', at(N1));
      expect(after.headers.get('etag')).toBe(saved.headers.get('etag'));
      expect((after.body as { configuration: { linkedServiceId: string } }).configuration.linkedServiceId).toBe('svc-sales');
      expect((await system.api('acme', 'DELETE', at(N1), undefined, { headers: { 'if-match': etag } })).status).toBe(412);
    });

    it('C7 keeps every change as an event with who and when, oldest first', async () => {
      const history = (await system.api('acme', 'GET', `${at(N1)}/history`)).body as { version: number; type: string; occurredAt: string; actor: { sub: string } }[];
      expect(history.length).toBe(3);
      expect(history.map((h) => h.type)).toEqual(['NumberConfigurationSaved', 'NumberConfigurationSaved', 'NumberConfigurationSaved']);
      expect(history.every((h) => h.actor.sub === 'admin@acme' && !Number.isNaN(Date.parse(h.occurredAt)))).toBe(true);
      expect([...history].sort((a, b) => a.version - b.version)).toEqual(history);
    });
  });

  describe('the emergency override and the simulation', () => {
    it('simulates the period, routing and armed actions at an instant, across DST (America/New_York)', async () => {
      const sim = async (instant: string) => (await system.api('acme', 'GET', `${at(N1)}/simulate?at=${encodeURIComponent(instant)}`)).body as { period: string; routing: { type: string }; actions: unknown[] };
      // 12:30Z is 07:30 local on Monday 2026-11-02 (EST, after the clocks went back on 11-01), but 08:30 a week before (EDT).
      expect((await sim('2026-11-02T12:30:00Z')).period).toBe('out_of_hours');
      expect((await sim('2026-10-26T12:30:00Z')).period).toBe('working_hours');
      expect((await sim('2026-11-02T13:00:00Z')).period).toBe('working_hours');
      const closed = await sim('2026-12-25T15:00:00Z');
      expect(closed).toMatchObject({ period: 'out_of_hours', routing: { type: 'bot', botId: 'bot-1' } });
      expect(closed.actions).toHaveLength(1);
      expect((await system.api('acme', 'GET', `${at(N1)}/simulate?at=yesterday`)).status).toBe(400);
    });

    it('an override beats the schedule until it is cleared, and is audited', async () => {
      const set = await system.api('acme', 'PUT', `${at(N1)}/override`, { mode: 'closed' });
      expect(set.status).toBe(200);
      expect((set.body as View).override).toEqual({ mode: 'closed' });
      const during = (await system.api('acme', 'GET', `${at(N1)}/simulate?at=2026-11-02T15:00:00Z`)).body as { period: string; overrideActive: boolean };
      expect(during).toMatchObject({ period: 'out_of_hours', overrideActive: true });
      const saved = (await system.api('acme', 'PUT', at(N1), valid())).body as View;
      expect(saved.override).toEqual({ mode: 'closed' });
      expect((await system.api('acme', 'DELETE', `${at(N1)}/override`)).status).toBe(200);
      expect(((await system.api('acme', 'GET', `${at(N1)}/simulate?at=2026-11-02T15:00:00Z`)).body as { period: string }).period).toBe('working_hours');
      const types = ((await system.api('acme', 'GET', `${at(N1)}/history`)).body as { type: string }[]).map((h) => h.type);
      expect(types.slice(-3)).toEqual(['NumberOverrideSet', 'NumberConfigurationSaved', 'NumberOverrideCleared']);
    });

    it('an override with an end in the past is refused, and one on a number without configuration is 409', async () => {
      expect((await system.api('acme', 'PUT', `${at(N1)}/override`, { mode: 'open', until: '2020-01-01T00:00:00Z' })).status).toBe(400);
      expect((await system.api('acme', 'PUT', `${at(N2)}/override`, { mode: 'open' })).status).toBe(409);
    });
  });

  describe('C8 migration and C9 removal', () => {
    it('C8 imports call groups as partially_configured, changes nothing when run twice, and a full save makes it configured', async () => {
      const body = { callGroups: [{ serviceId: 'svc-support', numbers: [N2, N3] }] };
      const first = await system.api('acme', 'POST', '/v1/migrations/call-groups', body);
      expect(first.body).toEqual({ migrated: [N2, N3], unchanged: [] });
      const view = (await system.api('acme', 'GET', at(N2))).body as View & { configuration: unknown };
      expect(view.status).toBe('partially_configured');
      expect(view.configuration).toEqual({ linkedServiceId: 'svc-support', workingHours: { routing: { type: 'group', serviceId: 'svc-support' }, schedule: { timeZone: 'UTC', rules: [], closures: [] }, actions: [] } });
      expect((await system.api('acme', 'POST', '/v1/migrations/call-groups', body)).body).toEqual({ migrated: [], unchanged: [N2, N3] });
      expect((await system.api('acme', 'GET', '/v1/numbers')).body).toContainEqual({ number: N2, channels: ['sms'], status: 'partially_configured', linkedServiceId: 'svc-support', routing: { workingHours: { type: 'group', serviceId: 'svc-support' } }, version: view.version });
      expect(((await system.api('acme', 'PUT', at(N2), valid())).body as View).status).toBe('configured');
    });

    it('C8 never overwrites a configured number and refuses unknown services or numbers with every problem', async () => {
      expect((await system.api('acme', 'POST', '/v1/migrations/call-groups', { callGroups: [{ serviceId: 'svc-support', numbers: [N1] }] })).body).toEqual({ migrated: [], unchanged: [N1] });
      const bad = await system.api('acme', 'POST', '/v1/migrations/call-groups', { callGroups: [{ serviceId: 'svc-x', numbers: ['+15559999999'] }] });
      expect((bad.body as ProblemBody).errors!.map((e) => e.path)).toEqual(['$.callGroups[0].serviceId', '$.callGroups[0].numbers[0]']);
    });

    it('C9 removing a configuration makes the number not_configured again', async () => {
      const removed = await system.api('acme', 'DELETE', at(N3));
      expect((removed.body as View).status).toBe('not_configured');
      expect((await system.api('acme', 'GET', '/v1/numbers')).body).toContainEqual({ number: N3, channels: ['sms'], status: 'not_configured', version: (removed.body as View).version });
      const types = ((await system.api('acme', 'GET', `${at(N3)}/history`)).body as { type: string }[]).map((h) => h.type);
      expect(types).toEqual(['NumberConfigurationMigrated', 'NumberConfigurationRemoved']);
    });
  });

  describe('directory', () => {
    it('refuses duplicate ids and unknown references with every problem at once, and keeps the old directory', async () => {
      const bad = { ...directory, agents: [...directory.agents, { id: 'ag-ana', name: 'Ana again' }], services: [{ ...directory.services[0]!, agentIds: ['ag-zed'], dialplan: { smsNumber: WA_ONLY } }] };
      const res = await system.api('acme', 'PUT', '/v1/directory', bad);
      expect((res.body as ProblemBody).errors!.map((e) => e.path)).toEqual(['$.agents[3].id', '$.services[0].agentIds[0]', '$.services[0].dialplan.smsNumber']);
      expect(((await system.api('acme', 'GET', '/v1/directory')).body as { agents: unknown[] }).agents).toHaveLength(3);
    });
  });

  it('C6 S1 cross-tenant matrix: every route with another tenant\'s admin token finds nothing and changes nothing', async () => {
    const before = await Promise.all([N1, N2, N3].map(async (n) => (await system.api('acme', 'GET', at(n))).body));
    const routes: [string, string, unknown][] = [
      ['GET', at(N1), undefined],
      ['PUT', at(N1), valid()],
      ['DELETE', at(N1), undefined],
      ['GET', `${at(N1)}/history`, undefined],
      ['GET', `${at(N1)}/simulate`, undefined],
      ['PUT', `${at(N1)}/override`, { mode: 'closed' }],
      ['DELETE', `${at(N1)}/override`, undefined],
    ];
    for (const [method, route, body] of routes) {
      const res = await system.api('intruder', method, route, body);
      expect([method, route, res.status]).toEqual([method, route, 404]);
      expect(JSON.stringify(res.body)).not.toContain('svc-sales');
    }
    expect((await system.api('intruder', 'GET', '/v1/numbers')).body).toEqual([]);
    expect((await system.api('intruder', 'GET', '/v1/directory')).body).toEqual({ numbers: [], services: [], agents: [], bots: [], version: 0 });
    expect((await system.api('intruder', 'POST', '/v1/migrations/call-groups', { callGroups: [{ serviceId: 'svc-sales', numbers: [N3] }] })).status).toBe(400);
    expect(await Promise.all([N1, N2, N3].map(async (n) => (await system.api('acme', 'GET', at(n))).body))).toEqual(before);
  });
});
