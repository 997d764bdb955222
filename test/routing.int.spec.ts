import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { makeEvent, subjects } from '@kite/contracts';
import { eventually, settle, TestSystem } from '@kite/testing';
import { AGENT_NUMBER, configureRouting, Conversation, membersOf, OFF_HOURS, WORKING } from './routing-support.js';

/** R3–R9 through the public contract: kite.in in, kite.out out, over real NATS and PostgreSQL. */
describe('routing by working hours', () => {
  let system: TestSystem;
  let db: pg.Pool;
  let contacts = 15558000000;
  const conversation = (number?: string) => new Conversation(system, db, `+${++contacts}`, number);
  const ana = { kind: 'agent', id: 'ag-ana' } as const;
  const bruno = { kind: 'agent', id: 'ag-bruno' } as const;
  const bot = { kind: 'bot', id: 'bot-1' } as const;

  beforeAll(async () => {
    system = await TestSystem.start();
    // A pool: conversations checked side by side each run their own query.
    db = new pg.Pool({ connectionString: system.databaseUrl, max: 4 });
    await configureRouting(system);
  });
  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  it('R1 R2 R5 R6 out of hours the bot joins and replies; in working hours the group joins and the bot stays silent; out of hours again it replies', async () => {
    const c = conversation();
    const night = await c.message(OFF_HOURS);
    expect(membersOf(await c.effect('MembersAdded', night))).toEqual([bot]);
    expect((await c.effect('BotReplyRequested', night)).data).toMatchObject({ botId: 'bot-1', messageId: expect.any(String) });

    const day = await c.message(WORKING);
    expect(membersOf(await c.effect('MembersAdded', day))).toEqual([ana, bruno]);
    const nightAgain = await c.message(OFF_HOURS);
    await c.effect('BotReplyRequested', nightAgain);
    await settle(500);
    expect(c.effects('BotReplyRequested', day)).toHaveLength(0);
    expect(c.effects('MembersAdded', nightAgain)).toHaveLength(0);
  });

  it('R7 a bot removed by an agent never comes back and is never asked to reply', async () => {
    const c = conversation();
    await c.effect('MembersAdded', await c.message(OFF_HOURS));
    await c.removed(bot, ana);
    const later = await c.message(OFF_HOURS);
    const muchLater = await c.message(OFF_HOURS);
    await settle(1_000);
    expect(c.effects('MembersAdded', later)).toHaveLength(0);
    expect(c.effects('BotReplyRequested', later)).toHaveLength(0);
    expect(c.effects('MembersAdded', muchLater)).toHaveLength(0);
    expect(c.effects('BotReplyRequested', muchLater)).toHaveLength(0);
  });

  it('R4 the group is re-added only after every group agent has left', async () => {
    const c = conversation();
    expect(membersOf(await c.effect('MembersAdded', await c.message(WORKING)))).toEqual([ana, bruno]);
    await c.removed(ana, ana, 'left');
    const oneLeft = await c.message(WORKING);
    await c.removed(bruno, bruno, 'left');
    const noneLeft = await c.message(WORKING);
    expect(membersOf(await c.effect('MembersAdded', noneLeft))).toEqual([ana, bruno]);
    expect(c.effects('MembersAdded', oneLeft)).toHaveLength(0);
    expect(c.effects('MembersAdded')).toHaveLength(2);
  });

  it('R3 the agent target is re-added after leaving, also when other agents are present', async () => {
    const c = conversation(AGENT_NUMBER);
    const carla = { kind: 'agent', id: 'ag-carla' } as const;
    expect(membersOf(await c.effect('MembersAdded', await c.message(WORKING)))).toEqual([carla]);
    await c.joined(ana, 'invite');
    await c.removed(carla, carla, 'left');
    expect(membersOf(await c.effect('MembersAdded', await c.message(OFF_HOURS)))).toEqual([carla]);
  });

  it('R8 an agent of the group joining from the live dashboard means the group is not added', async () => {
    const c = conversation();
    await c.effect('MembersAdded', await c.message(OFF_HOURS));
    await c.joined(bruno, 'live_dashboard');
    const day = await c.message(WORKING);
    await settle(800);
    expect(c.effects('MembersAdded', day)).toHaveLength(0);
    expect(c.effects('BotReplyRequested', day)).toHaveLength(0);
  });

  it('R9 messages from agents and bots are not routed', async () => {
    const c = conversation();
    await c.effect('MembersAdded', await c.message(WORKING));
    await c.removed(ana, ana, 'left');
    await c.removed(bruno, bruno, 'left');
    for (const sender of [ana, bot]) {
      await system.publish(subjects.inbound('acme', 'ChatMessageSent'), makeEvent('ChatMessageSent', 'acme', { conversationId: c.id, messageId: `reply-${sender.id}-${c.contact}`, sender, text: 'Hello', sentAt: WORKING }));
    }
    await settle(1_000);
    expect(c.effects('MembersAdded')).toHaveLength(1);
  });

  it('S2 a member event for a conversation of no one goes to the dead letter', async () => {
    await system.publish(subjects.inbound('acme', 'MemberRemoved'), makeEvent('MemberRemoved', 'acme', { conversationId: 'C-none', member: ana, by: ana, reason: 'left' }));
    const letter = await eventually(() => system.deadLetters.find((l) => l.body.reason.includes('C-none')), 'a dead letter');
    expect(letter.subject).toBe('kite.dlq.linking-service.acme');
  });
});
