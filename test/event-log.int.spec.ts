import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DiscardPolicy, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { makeEvent } from '@kite/contracts';
import { EventLog, isUnavailable, isWrongLastSequence, type NatsConnection } from '@kite/messaging';
import { startTestNats, type TestNats } from '@kite/testing';

const membersAdded = (agent: string) => makeEvent('MembersAdded', 'acme', { conversationId: 'C1', members: [{ kind: 'agent', id: agent }], reason: 'routing', silent: false });

/** Appends, with and without the optimistic check, against a real nats-server of this file's own. */
describe('EventLog append', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nats = await startTestNats('event-log');
    nc = nats.nc;
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'LOG', subjects: ['log.>'], duplicate_window: 60_000_000_000 });
  });

  afterAll(async () => {
    await nats?.stop();
  });

  it('an append that names the last entry it saw is refused once another came after it, and nothing of it is stored', async () => {
    const log = await EventLog.open(nc, 'LOG');
    const first = await log.append('log.c.acme.c2', [membersAdded('b1')], 0);
    await log.append('log.c.acme.c2', [membersAdded('b2')], first.seq);
    const refused = await log.append('log.c.acme.c2', [membersAdded('b3')], first.seq).catch((e: unknown) => e);
    expect(isWrongLastSequence(refused)).toBe(true);
    expect((await jsm.streams.info('LOG', { subjects_filter: 'log.c.acme.c2' })).state.subjects).toEqual({ 'log.c.acme.c2': 2 });
    expect((await log.lastEntry('log.c.acme.c2', ['MembersAdded']))?.events.map((e) => e.data.members[0]!.id)).toEqual(['b2']);
  });

  it('a full event store (discard new, KITE_LOG_MAX_BYTES) refuses appends as an outage to wait out, not as the entry\'s fault', async () => {
    await jsm.streams.add({ name: 'FULL', subjects: ['full.>'], max_bytes: 4_096, discard: DiscardPolicy.New });
    const log = await EventLog.open(nc, 'FULL');
    let refused: unknown;
    for (let i = 0; i < 100 && refused === undefined; i++) refused = await log.append(`full.c.acme.c${i}`, [membersAdded(`a${i}`)]).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeDefined();
    expect(isUnavailable(refused)).toBe(true);
    expect(isWrongLastSequence(refused)).toBe(false);
    const { state } = await jsm.streams.info('FULL');
    expect(state.bytes).toBeLessThanOrEqual(4_096);
  });

  it('the same decision appended twice is stored once (its id is the message id)', async () => {
    const log = await EventLog.open(nc, 'LOG');
    const decision = [membersAdded('c1')];
    const first = await log.append('log.c.acme.c3', decision);
    const again = await log.append('log.c.acme.c3', decision);
    expect(again).toEqual({ seq: first.seq, duplicate: true });
    expect(await log.tail('log.c.acme.c3')).toBe(first.seq);
  });
});
