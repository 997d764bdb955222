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
    expect(configurationProblems(body(), directory)).toEqual([]);
  });

  it('C2 refuses a linked service that is not in the directory', () => {
    expect(configurationProblems(body({ linkedServiceId: 'svc-9' }), directory)).toEqual([{ path: '$.linkedServiceId', message: 'service svc-9 is not in the directory' }]);
  });

  it('C3 refuses routing targets that do not exist, in each period, all at once', () => {
    const problems = configurationProblems(
      body({
        workingHours: { ...body().workingHours, routing: { type: 'agent', agentId: 'ag-9' } },
        outOfHours: { routing: { type: 'bot', botId: 'bot-9' }, actions: [] },
      }),
      directory,
    );
    expect(problems.map((p) => p.path)).toEqual(['$.workingHours.routing.agentId', '$.outOfHours.routing.botId']);
  });

  it('C3 refuses a group target whose service does not exist', () => {
    const problems = configurationProblems(body({ workingHours: { ...body().workingHours, routing: { type: 'group', serviceId: 'svc-9' } } }), directory);
    expect(problems).toEqual([{ path: '$.workingHours.routing.serviceId', message: 'service svc-9 is not in the directory' }]);
  });

  it('C2 C3 without a directory every reference is unknown', () => {
    expect(configurationProblems(body(), undefined).map((p) => p.path)).toEqual(['$.linkedServiceId', '$.workingHours.routing.serviceId', '$.outOfHours.routing.botId']);
  });

  it('C4 refuses an unknown time zone', () => {
    const problems = configurationProblems(body({ workingHours: { ...body().workingHours, schedule: { timeZone: 'Mars/Olympus', rules: [], closures: [] } } }), directory);
    expect(problems.map((p) => p.path)).toEqual(['$.workingHours.schedule.timeZone']);
  });

  it('C4 requires the out-of-hours part when the schedule has rules, and not when it has none', () => {
    const { outOfHours: _, ...withoutOutOfHours } = body();
    expect(configurationProblems(withoutOutOfHours, directory)).toEqual([{ path: '$.outOfHours', message: 'is required when the schedule has rules' }]);
    const alwaysOpen = { ...withoutOutOfHours, workingHours: { ...withoutOutOfHours.workingHours, schedule: { timeZone: 'UTC', rules: [], closures: [] } } };
    expect(configurationProblems(alwaysOpen, directory)).toEqual([]);
  });
});
