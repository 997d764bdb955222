import { describe, expect, it } from '@jest/globals';
import { NumberConfiguration, type NumberConfigurationBody } from '@kite/contracts';
import { configurationToStore } from './configuration.decide.js';

const sendMessage = { type: 'send_message' as const, botId: 'helper', text: 'We will be right with you' };
const addMembers = { type: 'add_members' as const, agentIds: ['alice'] };

function body(withOutOfHours = true): NumberConfigurationBody {
  return {
    linkedServiceId: 'sales',
    workingHours: {
      routing: { type: 'group', serviceId: 'sales' },
      schedule: { timeZone: 'America/Sao_Paulo', rules: [{ days: 'weekdays', from: '08:00', to: '18:00' }], closures: [] },
      actions: [
        { onlyOnce: false, conditions: [{ type: 'no_reply', afterSeconds: 900 }], task: sendMessage },
        { id: 'act_kept', onlyOnce: true, conditions: [], task: addMembers },
      ],
    },
    ...(withOutOfHours ? { outOfHours: { routing: { type: 'bot' as const, botId: 'helper' }, actions: [{ onlyOnce: false, conditions: [], task: sendMessage }] } } : {}),
  };
}

describe('C5 configurationToStore', () => {
  it('C5 an action without an id gets a new one prefixed act_', () => {
    const stored = configurationToStore(body());
    const first = stored.workingHours.actions[0];
    expect(first?.id).toMatch(/^act_[0-9A-Z]{26}$/);
    expect(stored.outOfHours?.actions[0]?.id).toMatch(/^act_[0-9A-Z]{26}$/);
  });

  it('C5 new ids are distinct across both periods', () => {
    const stored = configurationToStore(body());
    const ids = [...stored.workingHours.actions, ...(stored.outOfHours?.actions ?? [])].map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('C5 an id sent back is kept', () => {
    const stored = configurationToStore(body());
    expect(stored.workingHours.actions[1]?.id).toBe('act_kept');
  });

  it('C5 the id generator given is used for missing ids only', () => {
    let n = 0;
    const stored = configurationToStore(body(), () => `act_test${++n}`);
    expect(stored.workingHours.actions.map((a) => a.id)).toEqual(['act_test1', 'act_kept']);
    expect(stored.outOfHours?.actions.map((a) => a.id)).toEqual(['act_test2']);
  });

  it('C5 everything else of the body is stored as sent, and the result is a valid NumberConfiguration', () => {
    const b = body();
    const stored = configurationToStore(b, () => 'act_x');
    expect(stored.linkedServiceId).toBe('sales');
    expect(stored.workingHours.routing).toEqual(b.workingHours.routing);
    expect(stored.workingHours.schedule).toEqual(b.workingHours.schedule);
    expect(stored.workingHours.actions[0]).toEqual({ ...b.workingHours.actions[0], id: 'act_x' });
    expect(stored.outOfHours?.routing).toEqual({ type: 'bot', botId: 'helper' });
    expect(NumberConfiguration.safeParse(stored).success).toBe(true);
  });

  it('C4 without an out-of-hours part, none is stored', () => {
    const stored = configurationToStore(body(false));
    expect(stored.outOfHours).toBeUndefined();
    expect('outOfHours' in stored).toBe(false);
  });

  it('C5 the body is not changed', () => {
    const b = body();
    const copy = structuredClone(b);
    configurationToStore(b);
    expect(b).toEqual(copy);
  });
});
