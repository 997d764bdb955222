import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { makeEvent, type AnyEnvelope, type Member, type MembersAdded } from '@kite/contracts';
import { appendAll, EventLog, type Appended, type Delivery } from '@kite/messaging';
import { openServiceDatabase, Positions1732399999000, type DataSource, type MigrationInterface, type QueryRunner, type Read, type Transaction } from '@kite/persistence';
import { chainEntriesRead, handleLogDeliveries, type ChainedProjection, type ChainRun } from '@kite/service-kit';
import { createTestDatabase, startTestNats, type TestNats } from '@kite/testing';

class Members1732400099000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE members (conversation_id text PRIMARY KEY, members text[] NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE members`);
  }
}

const added = (conversationId: string, reason: 'routing' | 'create', ...ids: string[]) =>
  makeEvent('MembersAdded', 'acme', { conversationId, members: ids.map((id): Member => ({ kind: 'agent', id })), reason, silent: false });
const read = (conversationId: string) => makeEvent('ChatMessageRead', 'acme', { conversationId, messageId: 'm1', readerId: 'alice', readAt: new Date().toISOString() });

/**
 * A projection of members that uses MembersAdded only; on one added at creation it decides to add
 * `decided` too, appends that decision and folds it at once (as routing does). It counts its
 * transactions (each reads its state once) and the runs it applied.
 */
class MembersProjection implements ChainedProjection<Map<string, string[]>> {
  readonly name = 'members';
  readonly concerns = new Set(['MembersAdded']);
  transactions = 0;
  runs: number[][] = [];
  /** Appended by "someone else" just before this projection's own decision, to race it. */
  raceWith: (() => Promise<unknown>) | undefined;

  constructor(private readonly log: EventLog) {}

  stateOf(conversationIds: string[]): Read<Map<string, string[]>> {
    this.transactions++;
    return {
      statement: { sql: `SELECT conversation_id, members FROM members WHERE conversation_id = ANY($1::text[])`, params: [conversationIds] },
      decode: (rows) => new Map((rows as { conversation_id: string; members: string[] }[]).map((r) => [r.conversation_id, r.members])),
    };
  }

  async apply(tx: Transaction, runs: ChainRun[], state: Map<string, string[]>): Promise<Appended[]> {
    const decisions: { subject: string; events: AnyEnvelope[] }[] = [];
    for (const { subject, conversationId, entries } of runs) {
      this.runs.push(entries.map((e) => e.entry.seq));
      let members = state.get(conversationId) ?? [];
      const fold = (event: AnyEnvelope) => {
        if (event.type === 'MembersAdded') members = [...new Set([...members, ...(event as MembersAdded).data.members.map((m) => m.id)])];
      };
      for (const { entry } of entries) {
        for (const event of entry.events) {
          fold(event);
          if (event.type === 'MembersAdded' && (event as MembersAdded).data.reason === 'create') {
            const decision = added(conversationId, 'routing', 'decided');
            decisions.push({ subject, events: [decision] });
            fold(decision);
          }
        }
      }
      await tx.query(`INSERT INTO members VALUES ($1, $2) ON CONFLICT (conversation_id) DO UPDATE SET members = EXCLUDED.members`, [conversationId, members]);
    }
    if (decisions.length) await this.raceWith?.();
    return appendAll(this.log, decisions);
  }
}

class OwnPositions1732400099100 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE tallies (conversation_id text PRIMARY KEY, seqs bigint[] NOT NULL, position bigint NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tallies`);
  }
}

type Tallies = Map<string, { seqs: number[]; position: number }>;

/** A projection that keeps its positions in its own rows: it notes the sequence of every entry it applies. */
class TallyProjection implements ChainedProjection<Tallies> {
  readonly name = 'tallies';
  runs: number[][] = [];
  /** Appends something to every conversation it applies, which a projection keeping its own positions must not fold. */
  appendTo: EventLog | undefined;

  readonly ownPositions = (state: Tallies, conversationId: string) => state.get(conversationId)?.position ?? 0;

  stateOf(conversationIds: string[]): Read<Tallies> {
    return {
      statement: { sql: `SELECT conversation_id, seqs, position FROM tallies WHERE conversation_id = ANY($1::text[])`, params: [conversationIds] },
      decode: (rows) => new Map((rows as { conversation_id: string; seqs: string[]; position: string }[]).map((r) => [r.conversation_id, { seqs: r.seqs.map(Number), position: Number(r.position) }])),
    };
  }

  async apply(tx: Transaction, runs: ChainRun[], state: Tallies): Promise<Appended[] | void> {
    for (const { conversationId, entries } of runs) {
      this.runs.push(entries.map((e) => e.entry.seq));
      const seqs = [...(state.get(conversationId)?.seqs ?? []), ...entries.map((e) => e.entry.seq)];
      await tx.query(`INSERT INTO tallies VALUES ($1, $2, $3) ON CONFLICT (conversation_id) DO UPDATE SET seqs = EXCLUDED.seqs, position = EXCLUDED.position`, [conversationId, seqs, entries.at(-1)!.entry.seq]);
    }
    if (this.appendTo) return appendAll(this.appendTo, runs.map((r) => ({ subject: r.subject, events: [read(r.conversationId)] })));
  }
}

/** Conversation-log projections: what they apply, in which transactions, and what they ask the log. */
describe('chained projections', () => {
  let nats: TestNats;
  let jsm: JetStreamManager;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  let log: EventLog;

  beforeAll(async () => {
    nats = await startTestNats('chained-projection');
    jsm = await jetstreamManager(nats.nc);
    await jsm.streams.add({ name: 'CHAIN', subjects: ['chain.>'], duplicate_window: 60_000_000_000 });
    log = await EventLog.open(nats.nc, 'CHAIN');
    database = await createTestDatabase();
    ds = await openServiceDatabase({ url: database.url, schema: 'chained_test', migrations: [Positions1732399999000, Members1732400099000, OwnPositions1732400099100], poolSize: 2 });
  });

  afterAll(async () => {
    await ds?.destroy();
    await database?.drop();
    await nats?.stop();
  });

  /** The stored entry at `seq`, as the consumer would deliver it. */
  async function delivered(seq: number): Promise<Delivery> {
    const m = await jsm.streams.getMessage('CHAIN', { seq });
    return { subject: m!.subject, seq, data: m!.data, headers: m!.header, deliveryCount: 1 };
  }

  const append = async (subject: string, event: AnyEnvelope) => (await log.append(subject, [event], undefined)).seq;
  const position = async (subject: string) => ((await ds.query(`SELECT seq FROM positions WHERE projection = 'members' AND aggregate = $1`, [subject])) as { seq: string }[]).map((r) => Number(r.seq))[0];
  const membersOf = async (conversationId: string) => ((await ds.query(`SELECT members FROM members WHERE conversation_id = $1`, [conversationId])) as { members: string[] }[])[0]?.members;

  it('entries with nothing the projection uses cost no transaction, and are applied with the next one that has, without asking the log', async () => {
    const projection = new MembersProjection(log);
    const subject = 'chain.acme.c1';
    const first = await append(subject, added('c1', 'routing', 'alice'));
    const reads = [await append(subject, read('c1')), await append(subject, read('c1'))];
    const last = await append(subject, added('c1', 'routing', 'bob'));

    await handleLogDeliveries(ds, log, projection, [await delivered(first)]);
    for (const seq of reads) await handleLogDeliveries(ds, log, projection, [await delivered(seq)]);
    expect([projection.transactions, await position(subject)]).toEqual([1, first]);

    const delivery = await delivered(last);
    const { asked } = await nats.messageGets('CHAIN', () => handleLogDeliveries(ds, log, projection, [delivery]));
    expect(asked).toEqual([]);
    expect(projection.runs).toEqual([[first], [...reads, last]]);
    expect([projection.transactions, await position(subject), await membersOf('c1')]).toEqual([2, last, ['alice', 'bob']]);
  });

  const entriesReadBack = async (projection: string) => (await chainEntriesRead.get()).values.find((v) => v.labels.projection === projection)?.value ?? 0;

  it('another instance (or this one after a restart) reads the entries passed over from the log, and counts them', async () => {
    const subject = 'chain.acme.c2';
    const first = await append(subject, added('c2', 'routing', 'alice'));
    const passed = await append(subject, read('c2'));
    const last = await append(subject, added('c2', 'routing', 'bob'));
    const one = new MembersProjection(log);
    await handleLogDeliveries(ds, log, one, [await delivered(first)]);
    await handleLogDeliveries(ds, log, one, [await delivered(passed)]);

    const other = new MembersProjection(log);
    const delivery = await delivered(last);
    const readBefore = await entriesReadBack('members');
    const { asked } = await nats.messageGets('CHAIN', () => handleLogDeliveries(ds, log, other, [delivery]));
    expect(asked).toEqual(['$JS.API.STREAM.MSG.GET.CHAIN']);
    expect([other.runs, await position(subject), await membersOf('c2')]).toEqual([[[passed, last]], last, ['alice', 'bob']]);
    expect((await entriesReadBack('members')) - readBefore).toBe(1);
  });

  it('a decision the projection appended and folded moves its position, and its delivery costs no transaction', async () => {
    const projection = new MembersProjection(log);
    const subject = 'chain.acme.c3';
    const created = await append(subject, added('c3', 'create', 'alice'));
    await handleLogDeliveries(ds, log, projection, [await delivered(created)]);
    const decision = (await jsm.streams.getMessage('CHAIN', { last_by_subj: subject }))!.seq;
    expect(decision).toBeGreaterThan(created);
    expect([projection.transactions, await position(subject)]).toEqual([1, decision]);

    await handleLogDeliveries(ds, log, projection, [await delivered(decision)]);
    expect([projection.transactions, projection.runs, await membersOf('c3')]).toEqual([1, [[created]], ['alice', 'decided']]);
  });

  it('a decision appended after someone else\'s entry leaves the position before that entry, which is applied when delivered', async () => {
    const projection = new MembersProjection(log);
    const subject = 'chain.acme.c4';
    const created = await append(subject, added('c4', 'create', 'alice'));
    let theirs = 0;
    projection.raceWith = async () => (theirs = await (await EventLog.open(nats.nc, 'CHAIN')).append(subject, [added('c4', 'routing', 'carol')], created).then((a) => a.seq));
    await handleLogDeliveries(ds, log, projection, [await delivered(created)]);
    const decision = (await jsm.streams.getMessage('CHAIN', { last_by_subj: subject }))!.seq;
    expect([theirs > created, decision > theirs, await position(subject)]).toEqual([true, true, created]);

    await handleLogDeliveries(ds, log, projection, [await delivered(theirs), await delivered(decision)]);
    expect([projection.transactions, projection.runs, await position(subject), await membersOf('c4')]).toEqual([2, [[created], [theirs, decision]], decision, ['alice', 'decided', 'carol']]);
  });

  describe('a projection keeping its positions in its own rows', () => {
    const tallyOf = async (conversationId: string) => ((await ds.query(`SELECT seqs::int[], position::int FROM tallies WHERE conversation_id = $1`, [conversationId])) as { seqs: number[]; position: number }[])[0];

    it('applies in chain order from the position in its row, gaps read from the log, and writes no position row', async () => {
      const subject = 'chain.acme.t1';
      const [a, b, c] = [await append(subject, read('t1')), await append(subject, read('t1')), await append(subject, read('t1'))];
      const projection = new TallyProjection();
      await handleLogDeliveries(ds, log, projection, [await delivered(a)]);
      await handleLogDeliveries(ds, log, projection, [await delivered(c)]);
      expect([projection.runs, await tallyOf('t1')]).toEqual([[[a], [b, c]], { seqs: [a, b, c], position: c }]);
      expect(await ds.query(`SELECT 1 FROM positions WHERE projection = 'tallies'`)).toEqual([]);
    });

    it('another instance skips what the row says is applied, and applies what follows once', async () => {
      const subject = 'chain.acme.t2';
      const [a, b] = [await append(subject, read('t2')), await append(subject, read('t2'))];
      await handleLogDeliveries(ds, log, new TallyProjection(), [await delivered(a), await delivered(b)]);
      const other = new TallyProjection();
      const c = await append(subject, read('t2'));
      await handleLogDeliveries(ds, log, other, [await delivered(b), await delivered(c), await delivered(a)]);
      expect([other.runs, await tallyOf('t2')]).toEqual([[[c]], { seqs: [a, b, c], position: c }]);
    });

    it('cannot fold what it appends: the batch fails and changes nothing', async () => {
      const subject = 'chain.acme.t3';
      const a = await append(subject, read('t3'));
      const projection = new TallyProjection();
      projection.appendTo = log;
      await expect(handleLogDeliveries(ds, log, projection, [await delivered(a)])).rejects.toThrow('keeps its own positions');
      expect(await tallyOf('t3')).toBeUndefined();
    });
  });
});
