import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { AckedPublisher, isUnavailable, isWrongLastSequence, NatsUnavailableError, type NatsConnection } from '@kite/messaging';
import { startTestNats, type TestNats } from '@kite/testing';

/** JetStream publishes acknowledged on one inbox, against a real nats-server of this file's own. */
describe('AckedPublisher', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: AckedPublisher;

  beforeAll(async () => {
    nats = await startTestNats('acked-publish');
    nc = nats.nc;
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'ACKED', subjects: ['acked.>'], duplicate_window: 60_000_000_000 });
    publisher = AckedPublisher.of(nc);
  });

  afterAll(async () => {
    await nats?.stop();
  });

  it('one publisher per connection', () => {
    expect(AckedPublisher.of(nc)).toBe(publisher);
  });

  it('stores a message with its headers and answers with its sequence; the same message id again is a duplicate', async () => {
    const first = await publisher.publish('acked.a', 'one', { msgID: 'm-1', headers: { 'Kite-Test': 'yes' } });
    expect(first).toEqual({ stream: 'ACKED', seq: expect.any(Number), duplicate: false });
    const stored = await jsm.streams.getMessage('ACKED', { seq: first.seq });
    expect([stored?.subject, stored?.string(), stored?.header.get('Kite-Test'), stored?.header.get('Nats-Msg-Id')]).toEqual(['acked.a', 'one', 'yes', 'm-1']);
    expect(await publisher.publish('acked.a', 'one again', { msgID: 'm-1' })).toEqual({ stream: 'ACKED', seq: first.seq, duplicate: true });
  });

  it('a stale expected last subject sequence is refused with the error callers recognise, and nothing is stored', async () => {
    const first = await publisher.publish('acked.b', 'b1', { msgID: 'b-1', expectLastSubjectSequence: 0 });
    const second = await publisher.publish('acked.b', 'b2', { msgID: 'b-2', expectLastSubjectSequence: first.seq });
    const refused = await publisher.publish('acked.b', 'b3', { msgID: 'b-3', expectLastSubjectSequence: first.seq }).catch((e: unknown) => e);
    expect(isWrongLastSequence(refused)).toBe(true);
    expect((await jsm.streams.getMessage('ACKED', { last_by_subj: 'acked.b' }))?.seq).toBe(second.seq);
  });

  it('many at once are each answered with their own sequence, in the order sent', async () => {
    const acks = await Promise.all(Array.from({ length: 500 }, (_, i) => publisher.publish(`acked.many.${i % 7}`, String(i), { msgID: `many-${i}` })));
    const seqs = acks.map((a) => a.seq);
    expect(new Set(seqs).size).toBe(500);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const i of [0, 123, 499]) expect((await jsm.streams.getMessage('ACKED', { seq: seqs[i]! }))?.string()).toBe(String(i));
  });

  it('a subject no stream takes is refused with a clear error', async () => {
    await expect(publisher.publish('nowhere.at.all', 'x', { msgID: 'n-1' })).rejects.toThrow('no stream takes messages on nowhere.at.all');
  });

  it('a publish nobody acknowledges fails after 2 s, as an outage (waited out, never a dead letter)', async () => {
    const silent = nc.subscribe('silent.>'); // takes the message, never answers
    const started = performance.now();
    const failure = await publisher.publish('silent.one', 'x', { msgID: 's-1' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(NatsUnavailableError);
    expect(String(failure)).toContain('publish to silent.one: no acknowledgement within 2000 ms');
    expect(isUnavailable(failure)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2_000);
    silent.unsubscribe();
  }, 15_000);
});
