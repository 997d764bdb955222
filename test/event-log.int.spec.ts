import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { makeEvent } from '@kite/contracts';
import { EventLog, PREVIOUS_HEADER, type NatsConnection } from '@kite/messaging';
import { startTestNats, type TestNats } from '@kite/testing';

const membersAdded = (agent: string) => makeEvent('MembersAdded', 'acme', { conversationId: 'C1', members: [{ kind: 'agent', id: agent }], reason: 'routing', silent: false });

/** Appends that name the entry they follow, against a real nats-server of this file's own. */
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

  it('a writer that guessed an old tail appends after the real one, chained to it', async () => {
    const mine = await EventLog.open(nc, 'LOG');
    const other = await EventLog.open(nc, 'LOG');
    const first = await mine.append('log.c1', [membersAdded('a1')], 0);
    const second = await other.append('log.c1', [membersAdded('a2')], first.seq);
    // Asking the stream for the tail is a message get; the refusal names the tail already.
    const { result: third, asked } = await nats.messageGets('LOG', () => mine.append('log.c1', [membersAdded('a3')], first.seq));
    expect(third).toEqual({ seq: expect.any(Number), prev: second.seq, duplicate: false });
    expect(asked).toEqual([]);
    const stored = await jsm.streams.getMessage('LOG', { last_by_subj: 'log.c1' });
    expect([stored?.seq, stored?.header.get(PREVIOUS_HEADER)]).toEqual([third.seq, String(second.seq)]);
    expect((await mine.entryAt(third.seq))?.events.map((e) => (e.data as { members: { id: string }[] }).members[0]!.id)).toEqual(['a3']);
  });

  it('a writer that cannot win within its attempts gets the refusal, and nothing of it is stored', async () => {
    const log = await EventLog.open(nc, 'LOG');
    const first = await log.append('log.c2', [membersAdded('b1')], 0);
    await log.append('log.c2', [membersAdded('b2')], first.seq);
    await expect(log.append('log.c2', [membersAdded('b3')], first.seq, 1)).rejects.toThrow(/wrong last sequence/);
    expect((await jsm.streams.info('LOG', { subjects_filter: 'log.c2' })).state.subjects).toEqual({ 'log.c2': 2 });
  });
});
