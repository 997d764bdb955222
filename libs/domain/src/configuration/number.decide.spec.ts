import { describe, expect, it } from '@jest/globals';
import {
  NumberConfiguration,
  NumberConfigurationMigrated,
  NumberConfigurationRemoved,
  NumberConfigurationSaved,
  NumberOverrideCleared,
  NumberOverrideSet,
  NumberState,
  type Actor,
  type NumberConfigurationBody,
  type NumberEvent,
  type Override,
} from '@kite/contracts';
import { configurationInForce, decideMigrate, decideOverride, decideRemove, decideSave, evolveNumber, unconfiguredNumber, type NumberDecision } from './number.decide.js';

const tenant = 'acme';
const number = '+15551234567';
const actor: Actor = { sub: 'admin-1', role: 'admin' };

const sendMessage = { type: 'send_message' as const, botId: 'bot-1', text: 'We will get back to you' };
const addMembers = { type: 'add_members' as const, agentIds: ['ag-7'] };

function body(): NumberConfigurationBody {
  return {
    linkedServiceId: 'svc-us',
    workingHours: {
      routing: { type: 'group', serviceId: 'svc-us' },
      schedule: { timeZone: 'GMT-03:00', rules: [{ days: 'weekdays', from: '08:00', to: '18:00' }], closures: ['2026-12-25'] },
      actions: [
        { onlyOnce: true, conditions: [{ type: 'no_reply', afterSeconds: 900 }], task: sendMessage },
        { id: 'act_kept', onlyOnce: false, conditions: [], task: addMembers },
      ],
    },
    outOfHours: { routing: { type: 'bot', botId: 'bot-1' }, actions: [{ onlyOnce: false, conditions: [{ type: 'not_read', afterSeconds: 300 }], task: addMembers }] },
  };
}

/** A deterministic id generator: act_1, act_2, … */
function counter(): () => string {
  let n = 0;
  return () => `act_${++n}`;
}

function eventsOf(decision: NumberDecision): NumberEvent[] {
  if (!decision.ok) throw new Error(`expected a decision with events, got ${decision.status} ${decision.reason}`);
  return decision.events;
}

function onlyEvent(decision: NumberDecision): NumberEvent {
  const events = eventsOf(decision);
  expect(events).toHaveLength(1);
  const [event] = events;
  if (!event) throw new Error('no event');
  return event;
}

/** The state after applying every event of a decision. */
function apply(state: NumberState, decision: NumberDecision): NumberState {
  return eventsOf(decision).reduce(evolveNumber, state);
}

function configuredState(override?: Override): NumberState {
  const saved = apply(unconfiguredNumber(number), decideSave(unconfiguredNumber(number), tenant, body(), actor, counter()));
  return override ? { ...saved, override } : saved;
}

const migratedState = (): NumberState => apply(unconfiguredNumber(number), decideMigrate(unconfiguredNumber(number), tenant, 'svc-legacy', actor));

describe('unconfiguredNumber', () => {
  it('C1 a number that was never configured is not_configured with no configuration', () => {
    expect(unconfiguredNumber(number)).toEqual({ number, status: 'not_configured' });
  });
});

describe('decideSave', () => {
  it('C7 a full save emits one NumberConfigurationSaved with status configured, the actor and the tenant', () => {
    const event = onlyEvent(decideSave(unconfiguredNumber(number), tenant, body(), actor, counter()));
    expect(event.type).toBe('NumberConfigurationSaved');
    expect(event.tenant).toBe(tenant);
    expect(event.data.number).toBe(number);
    expect(event.data.status).toBe('configured');
    expect(event.data.actor).toEqual(actor);
    expect(event.data.override).toBeUndefined();
    expect(() => NumberConfigurationSaved.parse(event)).not.toThrow();
  });

  it('C5 C7 the saved configuration has every action id assigned, ids sent back kept', () => {
    const event = onlyEvent(decideSave(unconfiguredNumber(number), tenant, body(), actor, counter()));
    const configuration = event.data.configuration;
    expect(configuration?.linkedServiceId).toBe('svc-us');
    expect(configuration?.workingHours.actions.map((a) => a.id)).toEqual(['act_1', 'act_kept']);
    expect(configuration?.outOfHours?.actions.map((a) => a.id)).toEqual(['act_2']);
    expect(configuration?.workingHours.schedule).toEqual(body().workingHours.schedule);
    expect(configuration?.outOfHours?.routing).toEqual({ type: 'bot', botId: 'bot-1' });
    expect(() => NumberConfiguration.parse(configuration)).not.toThrow();
  });

  it('C7 a save keeps the override in force', () => {
    const override: Override = { mode: 'closed', until: '2026-11-25T00:00:00.000Z' };
    const state = configuredState(override);
    expect(state.override).toEqual(override);
    const event = onlyEvent(decideSave(state, tenant, body(), actor, counter()));
    expect(event.data.override).toEqual(override);
    expect(event.data.status).toBe('configured');
    expect(() => NumberConfigurationSaved.parse(event)).not.toThrow();
  });

  it('C8 a partially_configured number becomes configured after a full save', () => {
    const before = migratedState();
    expect(before.status).toBe('partially_configured');
    const decision = decideSave(before, tenant, body(), actor, counter());
    const event = onlyEvent(decision);
    expect(event.type).toBe('NumberConfigurationSaved');
    const after = apply(before, decision);
    expect(after.status).toBe('configured');
    expect(after.configuration?.linkedServiceId).toBe('svc-us');
    expect(after.configuration?.outOfHours).toBeDefined();
  });
});

describe('decideRemove', () => {
  it('C9 removing a configuration makes the number not_configured, with no configuration and no override', () => {
    const state = configuredState({ mode: 'open' });
    const event = onlyEvent(decideRemove(state, tenant, actor));
    expect(event.type).toBe('NumberConfigurationRemoved');
    expect(event.tenant).toBe(tenant);
    expect(event.data).toEqual({ number, status: 'not_configured', actor });
    expect(() => NumberConfigurationRemoved.parse(event)).not.toThrow();
    expect(apply(state, decideRemove(state, tenant, actor))).toEqual({ number, status: 'not_configured' });
  });

  it('C9 a partially_configured number can be removed too', () => {
    const event = onlyEvent(decideRemove(migratedState(), tenant, actor));
    expect(event.type).toBe('NumberConfigurationRemoved');
    expect(event.data.status).toBe('not_configured');
  });

  it('C9 removing a number that is already not_configured emits nothing', () => {
    expect(decideRemove(unconfiguredNumber(number), tenant, actor)).toEqual({ ok: true, events: [] });
  });
});

describe('configurationInForce', () => {
  it('C8, C9 a configured or partially configured number follows its configuration; a removed or never configured one none', () => {
    const configured = configuredState();
    expect(configurationInForce(configured)).toEqual(configured.configuration);
    expect(configurationInForce(migratedState())).toEqual(migratedState().configuration);
    expect(configurationInForce(apply(configured, decideRemove(configured, tenant, actor)))).toBeUndefined();
    expect(configurationInForce({ status: 'not_configured', configuration: configured.configuration })).toBeUndefined();
    expect(configurationInForce(undefined)).toBeUndefined();
  });
});

describe('decideMigrate', () => {
  it('C8 a migrated number is partially_configured, linked to the call group and routed to its group', () => {
    const event = onlyEvent(decideMigrate(unconfiguredNumber(number), tenant, 'svc-legacy', actor));
    expect(event.type).toBe('NumberConfigurationMigrated');
    expect(event.tenant).toBe(tenant);
    expect(event.data.number).toBe(number);
    expect(event.data.status).toBe('partially_configured');
    expect(event.data.actor).toEqual(actor);
    expect(event.data.configuration?.linkedServiceId).toBe('svc-legacy');
    expect(event.data.configuration?.workingHours.routing).toEqual({ type: 'group', serviceId: 'svc-legacy' });
    expect(event.data.configuration?.outOfHours).toBeUndefined();
    expect(event.data.configuration?.workingHours.actions).toEqual([]);
    expect(() => NumberConfigurationMigrated.parse(event)).not.toThrow();
  });

  it('C4 C8 a migrated configuration has a schedule with no rules: always working hours', () => {
    const event = onlyEvent(decideMigrate(unconfiguredNumber(number), tenant, 'svc-legacy', actor));
    const schedule = event.data.configuration?.workingHours.schedule;
    expect(schedule?.rules).toEqual([]);
    expect(schedule?.closures).toEqual([]);
  });

  it('C8 running the migration twice changes nothing', () => {
    const once = migratedState();
    expect(decideMigrate(once, tenant, 'svc-legacy', actor)).toEqual({ ok: true, events: [] });
    expect(decideMigrate(once, tenant, 'svc-other', actor)).toEqual({ ok: true, events: [] });
  });

  it('C8 a configured number is never overwritten by a migration', () => {
    expect(decideMigrate(configuredState(), tenant, 'svc-legacy', actor)).toEqual({ ok: true, events: [] });
  });
});

describe('decideOverride', () => {
  it('sets an override on a configured number, keeping the configuration', () => {
    const state = configuredState();
    const override: Override = { mode: 'closed', until: '2026-11-24T18:00:00.000Z' };
    const event = onlyEvent(decideOverride(state, tenant, override, actor));
    expect(event.type).toBe('NumberOverrideSet');
    expect(event.tenant).toBe(tenant);
    expect(event.data.override).toEqual(override);
    expect(event.data.configuration).toEqual(state.configuration);
    expect(event.data.status).toBe('configured');
    expect(event.data.actor).toEqual(actor);
    expect(() => NumberOverrideSet.parse(event)).not.toThrow();
  });

  it('replaces an override that is already in force', () => {
    const state = configuredState({ mode: 'closed' });
    const event = onlyEvent(decideOverride(state, tenant, { mode: 'open' }, actor));
    expect(event.type).toBe('NumberOverrideSet');
    expect(event.data.override).toEqual({ mode: 'open' });
  });

  it('clearing an override emits NumberOverrideCleared without override, keeping the configuration', () => {
    const state = configuredState({ mode: 'closed' });
    const decision = decideOverride(state, tenant, undefined, actor);
    const event = onlyEvent(decision);
    expect(event.type).toBe('NumberOverrideCleared');
    expect(event.tenant).toBe(tenant);
    expect(event.data).not.toHaveProperty('override');
    expect(event.data.configuration).toEqual(state.configuration);
    expect(event.data.status).toBe('configured');
    expect(event.data.actor).toEqual(actor);
    expect(() => NumberOverrideCleared.parse(event)).not.toThrow();
    expect(apply(state, decision).override).toBeUndefined();
  });

  it('clearing when there is no override emits nothing', () => {
    expect(decideOverride(configuredState(), tenant, undefined, actor)).toEqual({ ok: true, events: [] });
  });

  it('a not_configured number cannot be overridden: 409', () => {
    const decision = decideOverride(unconfiguredNumber(number), tenant, { mode: 'open' }, actor);
    expect(decision).toMatchObject({ ok: false, status: 409 });
    if (decision.ok) throw new Error('expected a refusal');
    expect(decision.reason).toContain(number);
    expect(decideOverride(unconfiguredNumber(number), tenant, undefined, actor)).toMatchObject({ ok: false, status: 409 });
  });
});

describe('evolveNumber', () => {
  it("returns the event's state without the actor", () => {
    const state = configuredState();
    const event = onlyEvent(decideOverride(state, tenant, { mode: 'open' }, actor));
    const next = evolveNumber(state, event);
    expect(next).not.toHaveProperty('actor');
    expect(next).toEqual({ number, status: 'configured', configuration: state.configuration, override: { mode: 'open' } });
    expect(() => NumberState.strict().parse(next)).not.toThrow();
  });

  it('ignores the previous state: the event carries the whole new state', () => {
    const event = onlyEvent(decideMigrate(unconfiguredNumber(number), tenant, 'svc-legacy', actor));
    expect(evolveNumber(configuredState({ mode: 'closed' }), event)).toEqual(evolveNumber(unconfiguredNumber(number), event));
  });
});
