import { describe, expect, it } from '@jest/globals';
import type { Directory, NumberConfigurationBody } from '@kite/contracts';
import { configurationProblems } from './configuration.validate.js';

const directory: Directory = {
  numbers: [{ number: '+15550000001', channels: ['sms'] }],
  services: [{ id: 'svc-1', name: 'Sales', agentIds: ['ag-1'], dialplan: {} }],
  agents: [{ id: 'ag-1', name: 'Ana' }],
  bots: [{ id: 'bot-1', name: 'Bot' }],
};

const body = (over: Partial<NumberConfigurationBody> = {}): NumberConfigurationBody => ({
  linkedServiceId: 'svc-1',
  workingHours: { routing: { type: 'group', serviceId: 'svc-1' }, schedule: { timeZone: 'GMT-03:00', rules: [{ days: 'weekdays', from: '08:00', to: '18:00' }], closures: [] }, actions: [] },
  outOfHours: { routing: { type: 'bot', botId: 'bot-1' }, actions: [] },
  ...over,
});

describe('configurationProblems', () => {
  it('finds nothing wrong in a configuration whose references all exist', () => {
    expect(configurationProblems(body(), directory, '+15550000001')).toEqual([]);
  });

  it('C2 refuses a linked service that is not in the directory', () => {
    expect(configurationProblems(body({ linkedServiceId: 'svc-9' }), directory, '+15550000001')).toEqual([{ path: '$.linkedServiceId', message: 'service svc-9 is not in the directory' }]);
  });

  it('C3 refuses routing targets that do not exist, in each period, all at once', () => {
    const problems = configurationProblems(
      body({
        workingHours: { ...body().workingHours, routing: { type: 'agent', agentId: 'ag-9' } },
        outOfHours: { routing: { type: 'bot', botId: 'bot-9' }, actions: [] },
      }),
      directory,
      '+15550000001',
    );
    expect(problems.map((p) => p.path)).toEqual(['$.workingHours.routing.agentId', '$.outOfHours.routing.botId']);
  });

  it('C3 refuses a group target whose service does not exist', () => {
    const problems = configurationProblems(body({ workingHours: { ...body().workingHours, routing: { type: 'group', serviceId: 'svc-9' } } }), directory, '+15550000001');
    expect(problems).toEqual([{ path: '$.workingHours.routing.serviceId', message: 'service svc-9 is not in the directory' }]);
  });

  it('C2 C3 without a directory every reference is unknown', () => {
    expect(configurationProblems(body(), undefined, '+15550000001').map((p) => p.path)).toEqual(['$.linkedServiceId', '$.workingHours.routing.serviceId', '$.outOfHours.routing.botId']);
  });

  it('C4 refuses an unknown time zone', () => {
    const problems = configurationProblems(body({ workingHours: { ...body().workingHours, schedule: { timeZone: 'Mars/Olympus', rules: [], closures: [] } } }), directory, '+15550000001');
    expect(problems.map((p) => p.path)).toEqual(['$.workingHours.schedule.timeZone']);
  });

  it('C4 requires the out-of-hours part when the schedule has rules, and not when it has none', () => {
    const { outOfHours: _, ...withoutOutOfHours } = body();
    expect(configurationProblems(withoutOutOfHours, directory, '+15550000001')).toEqual([{ path: '$.outOfHours', message: 'is required when the schedule has rules' }]);
    const alwaysOpen = { ...withoutOutOfHours, workingHours: { ...withoutOutOfHours.workingHours, schedule: { timeZone: 'UTC', rules: [], closures: [] } } };
    expect(configurationProblems(alwaysOpen, directory, '+15550000001')).toEqual([]);
  });
});

describe('configurationProblems: actions', () => {
  const sendMessage = (botId = 'bot-1') => ({ type: 'send_message' as const, botId, text: 'We will get back to you' });

  it('C5 refuses two conditions of the same type in one action', () => {
    const problems = configurationProblems(
      body({
        workingHours: {
          ...body().workingHours,
          actions: [
            {
              onlyOnce: false,
              conditions: [
                { type: 'no_reply', afterSeconds: 60 },
                { type: 'no_reply', afterSeconds: 120 },
              ],
              task: sendMessage(),
            },
          ],
        },
      }),
      directory,
      '+15550000001',
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('$.workingHours.actions[0].conditions[1].type');
    expect(problems[0]?.message).toContain('no_reply');
  });

  it('C5 accepts up to three conditions of distinct types', () => {
    const conditions = [
      { type: 'no_reply' as const, afterSeconds: 60 },
      { type: 'not_read' as const, afterSeconds: 60 },
      { type: 'no_activity' as const, afterSeconds: 60 },
    ];
    expect(configurationProblems(body({ workingHours: { ...body().workingHours, actions: [{ onlyOnce: true, conditions, task: sendMessage() }] } }), directory, '+15550000001')).toEqual([]);
  });

  it('C5 refuses the same action id used twice across periods, reported on the second', () => {
    const problems = configurationProblems(
      body({
        workingHours: { ...body().workingHours, actions: [{ id: 'act_1', onlyOnce: false, conditions: [], task: sendMessage() }] },
        outOfHours: {
          routing: { type: 'bot', botId: 'bot-1' },
          actions: [
            { id: 'act_2', onlyOnce: false, conditions: [], task: sendMessage() },
            { id: 'act_1', onlyOnce: false, conditions: [], task: sendMessage() },
          ],
        },
      }),
      directory,
      '+15550000001',
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('$.outOfHours.actions[1].id');
    expect(problems[0]?.message).toContain('act_1');
  });

  it('C5 actions without ids are never duplicates', () => {
    const action = { onlyOnce: false, conditions: [], task: sendMessage() };
    expect(configurationProblems(body({ workingHours: { ...body().workingHours, actions: [action, action] } }), directory, '+15550000001')).toEqual([]);
  });

  it('A4 refuses a send_message action whose bot is not in the directory', () => {
    const problems = configurationProblems(body({ outOfHours: { routing: { type: 'bot', botId: 'bot-1' }, actions: [{ onlyOnce: false, conditions: [], task: sendMessage('bot-9') }] } }), directory, '+15550000001');
    expect(problems).toEqual([{ path: '$.outOfHours.actions[0].task.botId', message: 'bot bot-9 is not in the directory' }]);
  });

  it('A5 refuses an add_members action with an agent that is not in the directory', () => {
    const problems = configurationProblems(
      body({ workingHours: { ...body().workingHours, actions: [{ onlyOnce: false, conditions: [], task: { type: 'add_members', agentIds: ['ag-1', 'ag-9'] } }] } }),
      directory,
      '+15550000001',
    );
    expect(problems).toEqual([{ path: '$.workingHours.actions[0].task.agentIds[1]', message: 'agent ag-9 is not in the directory' }]);
  });

  it('C6 reports every action problem at once, alongside the other problems', () => {
    const problems = configurationProblems(
      body({
        linkedServiceId: 'svc-9',
        workingHours: {
          ...body().workingHours,
          actions: [
            {
              id: 'a',
              onlyOnce: false,
              conditions: [
                { type: 'not_read', afterSeconds: 60 },
                { type: 'not_read', afterSeconds: 60 },
              ],
              task: sendMessage('bot-9'),
            },
          ],
        },
        outOfHours: { routing: { type: 'bot', botId: 'bot-1' }, actions: [{ id: 'a', onlyOnce: false, conditions: [], task: { type: 'add_members', agentIds: ['ag-8'] } }] },
      }),
      directory,
      '+15550000001',
    );
    expect(problems.map((p) => p.path)).toEqual([
      '$.linkedServiceId',
      '$.workingHours.actions[0].conditions[1].type',
      '$.workingHours.actions[0].task.botId',
      '$.outOfHours.actions[0].id',
      '$.outOfHours.actions[0].task.agentIds[0]',
    ]);
  });
});
