import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { eventually, settle, TestSystem } from '@kite/testing';
import { configureRouting, Conversation, membersOf, WORKING } from './routing-support.js';

/**
 * Order within a conversation with two instances of routing (and of linking) sharing their
 * partitions: membership changes and messages are decided in the order of the conversation's log.
 */
describe('two instances of routing and linking', () => {
  let system: TestSystem;
  let db: pg.Pool;
  let secondRoutingPort: number;
  beforeAll(async () => {
    system = await TestSystem.start();
    secondRoutingPort = (await system.startExtraInstance('routing-service')).port;
    await system.startExtraInstance('linking-service');
    // A pool: conversations checked side by side each run their own query.
    db = new pg.Pool({ connectionString: system.databaseUrl, max: 4 });
    await configureRouting(system);
    // The two instances share routing's partitions once each has seen the other (a lease round is 5 s).
    const holders = async () => Number((await db.query(`SELECT count(DISTINCT owner) AS n FROM routing.partition_leases WHERE processor = 'conversations' AND expires_at > now()`)).rows[0].n);
    await eventually(async () => (await holders()) === 2, 'two routing instances holding partitions', 20_000);
  });
  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  it('R4 across 20 conversations at once: the group is added once, then again only after both agents left', async () => {
    const conversations = Array.from({ length: 20 }, (_, i) => new Conversation(system, db, `+1555900${String(i).padStart(4, '0')}`));
    await Promise.all(
      conversations.map(async (c) => {
        const first = await c.message(WORKING);
        await c.effect('MembersAdded', first);
        await c.removed({ kind: 'agent', id: 'ag-ana' }, { kind: 'agent', id: 'ag-ana' }, 'left');
        await c.removed({ kind: 'agent', id: 'ag-bruno' }, { kind: 'agent', id: 'ag-bruno' }, 'left');
        await c.effect('MembersAdded', await c.message(WORKING));
      }),
    );
    await settle(1_000);
    for (const c of conversations) {
      const added = c.effects('MembersAdded');
      expect(added.map(membersOf)).toEqual([
        [{ kind: 'agent', id: 'ag-ana' }, { kind: 'agent', id: 'ag-bruno' }],
        [{ kind: 'agent', id: 'ag-ana' }, { kind: 'agent', id: 'ag-bruno' }],
      ]);
    }
  });

  it('R4 a burst of 10 messages in one conversation adds the group exactly once', async () => {
    const c = new Conversation(system, db, '+15559990001');
    await Promise.all(Array.from({ length: 10 }, () => c.message(WORKING)));
    await c.untilMembers((m) => m.length === 2, 'the group added');
    await settle(1_000);
    expect(c.effects('MembersAdded')).toHaveLength(1);
    expect(system.outboundOf('ConversationCreated', (e) => (e.data as { contact: string }).contact === c.contact)).toHaveLength(1);
  });

  it('both routing instances took part', async () => {
    const handled = async (port: number) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('kite_handler_seconds_count{consumer="routing-service-conversations",outcome="ack"}'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    expect(await handled(system.ports['routing-service'])).toBeGreaterThan(0);
    expect(await handled(secondRoutingPort)).toBeGreaterThan(0);
  });
});
