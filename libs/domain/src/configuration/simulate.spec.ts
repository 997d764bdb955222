import { describe, expect, it } from '@jest/globals';
import type { ConfiguredAction, NumberConfiguration, NumberState, Override } from '@kite/contracts';
import { actionsOfPeriod, simulateAt } from './simulate.js';

const number = '+4930123456789';

const workingHoursAction: ConfiguredAction = { id: 'act_wh', onlyOnce: false, conditions: [{ type: 'no_reply', afterSeconds: 900 }], task: { type: 'add_members', agentIds: ['ag-1'] } };
const outOfHoursAction: ConfiguredAction = { id: 'act_ooh', onlyOnce: true, conditions: [], task: { type: 'send_message', botId: 'bot-1', text: 'We are closed' } };

const configuration: NumberConfiguration = {
  linkedServiceId: 'svc-de',
  workingHours: {
    routing: { type: 'group', serviceId: 'svc-de' },
    schedule: { timeZone: 'Europe/Berlin', rules: [{ days: 'weekdays', from: '08:00', to: '18:00' }], closures: [] },
    actions: [workingHoursAction],
  },
  outOfHours: { routing: { type: 'bot', botId: 'bot-1' }, actions: [outOfHoursAction] },
};

const configured = (override?: Override): NumberState => ({ number, status: 'configured', configuration, ...(override ? { override } : {}) });

const partial: NumberState = {
  number,
  status: 'partially_configured',
  configuration: { linkedServiceId: 'svc-legacy', workingHours: { routing: { type: 'group', serviceId: 'svc-legacy' }, schedule: { timeZone: 'UTC', rules: [], closures: [] }, actions: [] } },
};

// 2026-11-24 is a Tuesday; Berlin is at UTC+01:00 in November and UTC+02:00 in July.
const tuesdayMorning = new Date('2026-11-24T10:00:00.000Z'); // 11:00 in Berlin
const tuesdayNight = new Date('2026-11-24T20:00:00.000Z'); // 21:00 in Berlin
const saturdayNoon = new Date('2026-11-28T11:00:00.000Z'); // 12:00 in Berlin, a Saturday

describe('simulateAt', () => {
  it('C1 a not_configured number has a status but no period, no routing and no actions', () => {
    const simulation = simulateAt({ number, status: 'not_configured' }, tuesdayMorning);
    expect(simulation).toEqual({ number, at: '2026-11-24T10:00:00.000Z', status: 'not_configured', actions: [] });
    expect(simulation).not.toHaveProperty('period');
    expect(simulation).not.toHaveProperty('routing');
  });

  it('R1 R2 A1 inside working hours: working_hours routing and working-hours actions', () => {
    expect(simulateAt(configured(), tuesdayMorning)).toEqual({
      number,
      at: '2026-11-24T10:00:00.000Z',
      status: 'configured',
      period: 'working_hours',
      overrideActive: false,
      routing: { type: 'group', serviceId: 'svc-de' },
      actions: [workingHoursAction],
    });
  });

  it('R1 R2 A1 outside working hours: out-of-hours routing and out-of-hours actions', () => {
    const simulation = simulateAt(configured(), tuesdayNight);
    expect(simulation.period).toBe('out_of_hours');
    expect(simulation.overrideActive).toBe(false);
    expect(simulation.routing).toEqual({ type: 'bot', botId: 'bot-1' });
    expect(simulation.actions).toEqual([outOfHoursAction]);
  });

  it('R1 a weekday rule does not cover a Saturday', () => {
    const simulation = simulateAt(configured(), saturdayNoon);
    expect(simulation.period).toBe('out_of_hours');
    expect(simulation.routing).toEqual({ type: 'bot', botId: 'bot-1' });
  });

  it("R1 the period is taken in the schedule's zone (summer time in Berlin)", () => {
    // 2026-07-14 is a Tuesday: 15:30Z is 17:30 in Berlin (open), 16:30Z is 18:30 (closed).
    expect(simulateAt(configured(), new Date('2026-07-14T15:30:00.000Z')).period).toBe('working_hours');
    expect(simulateAt(configured(), new Date('2026-07-14T16:30:00.000Z')).period).toBe('out_of_hours');
    // 06:30Z is 08:30 in Berlin in summer, but 07:30 in winter.
    expect(simulateAt(configured(), new Date('2026-07-14T06:30:00.000Z')).period).toBe('working_hours');
    expect(simulateAt(configured(), new Date('2026-11-24T06:30:00.000Z')).period).toBe('out_of_hours');
  });

  it('a closed override without until beats the schedule: out_of_hours and overrideActive', () => {
    const simulation = simulateAt(configured({ mode: 'closed' }), tuesdayMorning);
    expect(simulation.period).toBe('out_of_hours');
    expect(simulation.overrideActive).toBe(true);
    expect(simulation.routing).toEqual({ type: 'bot', botId: 'bot-1' });
    expect(simulation.actions).toEqual([outOfHoursAction]);
  });

  it('an open override until a later instant makes out-of-hours time working hours', () => {
    const simulation = simulateAt(configured({ mode: 'open', until: '2026-11-25T00:00:00.000Z' }), tuesdayNight);
    expect(simulation.period).toBe('working_hours');
    expect(simulation.overrideActive).toBe(true);
    expect(simulation.routing).toEqual({ type: 'group', serviceId: 'svc-de' });
    expect(simulation.actions).toEqual([workingHoursAction]);
  });

  it('an override whose until is before the instant is ignored', () => {
    const simulation = simulateAt(configured({ mode: 'closed', until: '2026-11-24T09:00:00.000Z' }), tuesdayMorning);
    expect(simulation.period).toBe('working_hours');
    expect(simulation.overrideActive).toBe(false);
    expect(simulation.routing).toEqual({ type: 'group', serviceId: 'svc-de' });
    expect(simulation.actions).toEqual([workingHoursAction]);
  });

  it('an override ends at its until instant', () => {
    const simulation = simulateAt(configured({ mode: 'closed', until: '2026-11-24T10:00:00.000Z' }), tuesdayMorning);
    expect(simulation.overrideActive).toBe(false);
    expect(simulation.period).toBe('working_hours');
  });

  it('C4 C8 a partially configured number (no rules, no out-of-hours part) is always in working hours', () => {
    for (const instant of [tuesdayMorning, tuesdayNight, saturdayNoon]) {
      const simulation = simulateAt(partial, instant);
      expect(simulation.status).toBe('partially_configured');
      expect(simulation.period).toBe('working_hours');
      expect(simulation.routing).toEqual({ type: 'group', serviceId: 'svc-legacy' });
      expect(simulation.actions).toEqual([]);
    }
  });

  it('a closed override on a number without an out-of-hours part routes to nobody', () => {
    const simulation = simulateAt({ ...partial, override: { mode: 'closed' } }, tuesdayMorning);
    expect(simulation.period).toBe('out_of_hours');
    expect(simulation.overrideActive).toBe(true);
    expect(simulation.routing).toBeNull();
    expect(simulation.actions).toEqual([]);
  });
});

describe('actionsOfPeriod', () => {
  it('A1 returns the actions of the period', () => {
    expect(actionsOfPeriod(configuration, 'working_hours')).toEqual([workingHoursAction]);
    expect(actionsOfPeriod(configuration, 'out_of_hours')).toEqual([outOfHoursAction]);
  });

  it('A1 no out-of-hours part means no out-of-hours actions', () => {
    const withoutOutOfHours = partial.configuration;
    if (!withoutOutOfHours) throw new Error('no configuration');
    expect(actionsOfPeriod(withoutOutOfHours, 'out_of_hours')).toEqual([]);
  });
});
