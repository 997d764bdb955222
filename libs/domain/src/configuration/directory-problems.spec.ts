import { describe, expect, it } from '@jest/globals';
import type { Directory } from '@kite/contracts';
import { directoryProblems } from './configuration.validate.js';

const directory = (): Directory => ({
  numbers: [
    { number: '+15550000001', channels: ['sms', 'whatsapp'] },
    { number: '+15550000002', channels: ['whatsapp'] },
  ],
  services: [
    { id: 'svc-1', name: 'Sales', agentIds: ['ag-1', 'ag-2'], dialplan: { smsNumber: '+15550000001' } },
    { id: 'svc-2', name: 'Support', agentIds: [], dialplan: {} },
  ],
  agents: [
    { id: 'ag-1', name: 'Ana' },
    { id: 'ag-2', name: 'Bo' },
  ],
  bots: [{ id: 'bot-1', name: 'Helper' }],
});

const paths = (d: Directory): string[] => directoryProblems(d).map((p) => p.path);

describe('directoryProblems', () => {
  it('finds nothing wrong in a valid directory', () => {
    expect(directoryProblems(directory())).toEqual([]);
  });

  it('finds nothing wrong in an empty directory', () => {
    expect(directoryProblems({ numbers: [], services: [], agents: [], bots: [] })).toEqual([]);
  });

  it('reports a number listed twice, on the second', () => {
    const d = directory();
    d.numbers.push({ number: '+15550000001', channels: ['sms'] });
    const problems = directoryProblems(d);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('$.numbers[2].number');
    expect(problems[0]?.message).toContain('+15550000001');
  });

  it('reports a service id used twice, on the second', () => {
    const d = directory();
    d.services.push({ id: 'svc-1', name: 'Sales again', agentIds: [], dialplan: {} });
    expect(paths(d)).toEqual(['$.services[2].id']);
  });

  it('reports a service id used twice at the path of the second', () => {
    const d = directory();
    const second = d.services[1];
    if (!second) throw new Error('no second service');
    d.services[1] = { ...second, id: 'svc-1' };
    expect(paths(d)).toEqual(['$.services[1].id']);
  });

  it('reports an agent id used twice', () => {
    const d = directory();
    d.agents.push({ id: 'ag-2', name: 'Bo again' });
    expect(paths(d)).toEqual(['$.agents[2].id']);
  });

  it('reports a bot id used twice', () => {
    const d = directory();
    d.bots.push({ id: 'bot-1', name: 'Helper again' });
    expect(paths(d)).toEqual(['$.bots[1].id']);
  });

  it('reports a channel listed twice on a number', () => {
    const d = directory();
    d.numbers[1] = { number: '+15550000002', channels: ['whatsapp', 'whatsapp'] };
    expect(paths(d)).toEqual(['$.numbers[1].channels[1]']);
  });

  it("reports a service's agent that is not among the directory's agents", () => {
    const d = directory();
    d.services[0] = { id: 'svc-1', name: 'Sales', agentIds: ['ag-1', 'ag-9'], dialplan: {} };
    const problems = directoryProblems(d);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('$.services[0].agentIds[1]');
    expect(problems[0]?.message).toContain('ag-9');
  });

  it('O1 accepts a dialplan SMS number outside the directory (a legacy call group\'s)', () => {
    const d = directory();
    d.services[0] = { id: 'svc-1', name: 'Sales', agentIds: ['ag-1'], dialplan: { smsNumber: '+15559999999' } };
    expect(directoryProblems(d)).toEqual([]);
  });

  it('O1 reports a dialplan SMS number that the directory lists without the sms channel', () => {
    const d = directory();
    d.services[0] = { id: 'svc-1', name: 'Sales', agentIds: ['ag-1'], dialplan: { smsNumber: '+15550000002' } };
    const problems = directoryProblems(d);
    expect(problems.map((p) => p.path)).toEqual(['$.services[0].dialplan.smsNumber']);
    expect(problems[0]?.message).toContain('+15550000002');
  });

  it('reports every problem at once', () => {
    const d: Directory = {
      numbers: [
        { number: '+15550000001', channels: ['whatsapp'] },
        { number: '+15550000001', channels: ['sms', 'sms'] },
      ],
      services: [
        { id: 'svc-1', name: 'Sales', agentIds: ['ag-1', 'ag-9'], dialplan: { smsNumber: '+15550000001' } },
        { id: 'svc-1', name: 'Sales again', agentIds: [], dialplan: {} },
      ],
      agents: [
        { id: 'ag-1', name: 'Ana' },
        { id: 'ag-1', name: 'Ana again' },
      ],
      bots: [
        { id: 'bot-1', name: 'Helper' },
        { id: 'bot-1', name: 'Helper again' },
      ],
    };
    const problems = directoryProblems(d);
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        '$.numbers[1].number',
        '$.services[1].id',
        '$.agents[1].id',
        '$.bots[1].id',
        '$.numbers[1].channels[1]',
        '$.services[0].agentIds[1]',
        '$.services[0].dialplan.smsNumber',
      ].sort(),
    );
    for (const problem of problems) expect(problem.message.length).toBeGreaterThan(0);
  });
});
