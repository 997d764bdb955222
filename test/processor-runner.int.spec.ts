import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { partitionOf } from '@kite/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { AckedPublisher, provisionStreams, type Delivery } from '@kite/messaging';
import { openServiceDatabase, PROCESSOR_MIGRATIONS, write, type DataSource, type MigrationInterface, type QueryRunner, type QueuedWrites, type Transaction, type Writes } from '@kite/persistence';
import { HeldState, PartitionLeases, ProcessorRunner, type HoldingProcessor, type Load, type Processor, type Received } from '@kite/service-kit';
import { createTestDatabase, eventually, startTestNats, type TestNats } from '@kite/testing';

class Tallies1733200099000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE tallies (seq bigint PRIMARY KEY, subject text NOT NULL, n int NOT NULL CHECK (n < 1000))`);
    await q.query(`CREATE TABLE sums (subject text PRIMARY KEY, total int NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tallies, sums`);
  }
}

interface Tally {
  n: number;
  fail?: 'always';
  skip?: boolean;
}

/** A processor that records each message's number; one marked `fail` always throws, one marked `skip` concerns it not. */
class Tallying implements Processor<Tally> {
  readonly stream = 'TALLY';
  readonly filterSubject: string;
  readonly replayed = true;
  readonly partitions = 4;
  calls = 0;
  constructor(readonly name: string) {
    this.filterSubject = `tally.${name}.>`;
  }
  decode(delivery: Delivery): Tally {
    const tally = JSON.parse(new TextDecoder().decode(delivery.data)) as Tally;
    if (typeof tally.n !== 'number') throw new Error('n: not a number');
    return tally;
  }
  concerns(tally: Tally): boolean {
    return !tally.skip;
  }
  async handle(tx: Transaction | Writes, items: readonly Received<Tally>[], _state?: unknown): Promise<void> {
    this.calls++;
    if (items.some((i) => i.item.fail)) throw new Error('this tally cannot be kept');
    await write(tx, `INSERT INTO tallies (seq, subject, n) SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[])`, [items.map((i) => i.seq), items.map((i) => i.subject), items.map((i) => i.item.n)]);
  }
}

type Sums = Map<string, number>;

/** Tallying that also keeps each subject's running sum, held in memory (a holding processor). */
class HoldingTallying extends Tallying implements HoldingProcessor<Tally, Sums> {
  readonly commitEvery = 20;
  readonly held = new HeldState<number>();
  constructor(
    name: string,
    readonly heldPerPartition?: number,
  ) {
    super(name);
  }
  /** Loads that had to read something. */
  reads = 0;

  load(items: readonly Received<Tally>[]): Load<Sums> {
    const missing = [...new Set(items.filter((i) => this.held.get(i.partition, i.subject) === undefined).map((i) => i.subject))];
    if (missing.length) this.reads++;
    return {
      statements: missing.length ? [{ sql: `SELECT subject, total FROM sums WHERE subject = ANY($1::text[])`, params: [missing] }] : [],
      decode: ([rows]) => {
        const found = new Map(((rows ?? []) as { subject: string; total: number }[]).map((r) => [r.subject, r.total]));
        return new Map(items.map((i) => [i.subject, this.held.get(i.partition, i.subject) ?? found.get(i.subject) ?? 0]));
      },
    };
  }

  override async handle(writes: Writes, items: readonly Received<Tally>[], sums: Sums): Promise<void> {
    await super.handle(writes, items);
    for (const { subject, partition, item } of items) {
      sums.set(subject, (sums.get(subject) ?? 0) + item.n);
      this.held.set(partition, subject, sums.get(subject)!);
    }
    const subjects = [...new Set(items.map((i) => i.subject))];
    await write(writes, `INSERT INTO sums (subject, total) SELECT * FROM unnest($1::text[], $2::int[]) ON CONFLICT (subject) DO UPDATE SET total = EXCLUDED.total`, [subjects, subjects.map((s) => sums.get(s))]);
  }
}

/** A holding processor that leaves a check for the commit of each batch: the sequences it handled. */
class CheckingTallying extends HoldingTallying {
  readonly checked: { seqs: number[]; committedBefore: number }[] = [];
  private readonly check = async (tx: Transaction, seqs: readonly number[]): Promise<void> => {
    const [row] = (await tx.query(`SELECT count(*)::int AS c FROM tallies WHERE seq = ANY($1::bigint[])`, [seqs])) as { c: number }[];
    this.checked.push({ seqs: [...seqs], committedBefore: row!.c });
  };
  override async handle(writes: QueuedWrites | Transaction, items: readonly Received<Tally>[], sums: Sums): Promise<void> {
    await super.handle(writes, items, sums);
    writes.beforeCommit(this.check, items.map((i) => i.seq));
  }
}

/** The processor shell against a real nats-server and a real PostgreSQL, without the services. */
describe('ProcessorRunner', () => {
  let nats: TestNats;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  let publisher: AckedPublisher;
  const deadLetters: { reason: string; seq: number; consumer: string }[] = [];
  const runners: ProcessorRunner<Tally, unknown>[] = [];
  const leases: PartitionLeases[] = [];
  let sent = 0;

  const publish = (subject: string, body: unknown) => publisher.publish(subject, JSON.stringify(body), { msgID: `m-${++sent}` });
  const runner = <State>(processor: Processor<Tally, State>) => {
    const r = new ProcessorRunner(nats.nc, ds, processor, processor.partitions ?? 4, 'test-service');
    runners.push(r as ProcessorRunner<Tally, unknown>);
    return r;
  };
  const sums = async (like: string) => Object.fromEntries(((await ds.query(`SELECT subject, total FROM sums WHERE subject LIKE $1`, [like])) as { subject: string; total: number }[]).map((r) => [r.subject, r.total]));
  const tallies = async (subject: string) => ((await ds.query(`SELECT n FROM tallies WHERE subject = $1 ORDER BY seq`, [subject])) as { n: number }[]).map((r) => r.n);

  beforeAll(async () => {
    nats = await startTestNats('processor-runner');
    await provisionStreams(nats.nc);
    database = await createTestDatabase();
    ds = await openServiceDatabase({ url: database.url, schema: 'runner_test', migrations: [...PROCESSOR_MIGRATIONS, Tallies1733200099000], poolSize: 4 });
    publisher = AckedPublisher.of(nats.nc);
    await (await jetstreamManager(nats.nc)).streams.add({ name: 'TALLY', subjects: ['tally.>'] });
    nats.nc.subscribe('kite.dlq.>', { callback: (_e, m) => void deadLetters.push(JSON.parse(new TextDecoder().decode(m.data))) });
  });
  afterAll(async () => {
    for (const l of leases) await l.stop();
    for (const r of runners) await r.stop();
    await ds?.destroy();
    await database?.drop();
    await nats?.stop();
  });

  it("handles each message once, each subject's in stream order, and saves the checkpoints with the rows", async () => {
    const processor = new Tallying('order');
    const r = runner(processor);
    await r.prepare();
    await r.assign([0, 1, 2, 3]);
    const subjects = Array.from({ length: 8 }, (_, i) => `tally.order.acme.k${i}`);
    for (let n = 0; n < 25; n++) await Promise.all(subjects.map((s) => publish(s, { n })));
    await eventually(async () => (await ds.query(`SELECT count(*)::int AS c FROM tallies WHERE subject LIKE 'tally.order.%'`))[0].c === 200, 'every tally kept');
    for (const s of subjects) expect(await tallies(s)).toEqual(Array.from({ length: 25 }, (_, n) => n));
    const checkpoints = (await ds.query(`SELECT partition, position::int AS position FROM checkpoints WHERE processor = 'order' ORDER BY partition`)) as { partition: number; position: number }[];
    const kept = (await ds.query(`SELECT seq::int AS seq, subject FROM tallies WHERE subject LIKE 'tally.order.%'`)) as { seq: number; subject: string }[];
    const last = new Map<number, number>();
    for (const { seq, subject } of kept) last.set(partitionOf(subject, 4), Math.max(seq, last.get(partitionOf(subject, 4)) ?? 0));
    expect(checkpoints).toEqual([0, 1, 2, 3].map((partition) => ({ partition, position: last.get(partition) ?? 0 })));
    expect(processor.calls).toBeLessThan(200);
  });

  it('KITE_PARTITIONS changed with every instance stopped (4, 7, then 3): nothing handled is handled again, nothing is skipped; refused while another instance runs', async () => {
    const subjects = Array.from({ length: 12 }, (_, i) => `tally.repart.acme.k${i}`);
    const count = async () => ((await ds.query(`SELECT count(*)::int AS c FROM tallies WHERE subject LIKE 'tally.repart.%'`)) as { c: number }[])[0]!.c;
    const sendAll = async (from: number, to: number) => {
      for (let n = from; n < to; n++) await Promise.all(subjects.map((s) => publish(s, { n })));
    };
    const tallying = (partitions: number) => Object.assign(new Tallying('repart'), { partitions });
    /** Runs with `partitions`, holding only `held` of them, until `expected` tallies are kept; then stops. */
    const runWith = async (partitions: number, held: number[], expected: () => Promise<boolean>) => {
      const r = runner(tallying(partitions));
      await r.prepare();
      await r.assign(held);
      await eventually(expected, `the tallies of partitions ${held.join(', ')} of ${partitions}`);
      await r.stop();
    };
    const handledIn = (partitions: number, held: number[]) => subjects.filter((s) => held.includes(partitionOf(s, partitions)));
    const tallied = async (some: string[], n: number) => (await Promise.all(some.map(async (s) => (await tallies(s)).length === n))).every(Boolean);

    // Under 4 partitions, only two of them handled: the checkpoints stand far apart, messages wait between them.
    await sendAll(0, 5);
    await runWith(4, [0, 1], () => tallied(handledIn(4, [0, 1]), 5));
    await sendAll(5, 7);
    await runWith(7, [0, 1, 2], () => tallied(handledIn(7, [0, 1, 2]), 7));
    // Another instance seen alive: the change is refused, nothing moves.
    await ds.query(`INSERT INTO processor_instances (owner, seen_at) VALUES ('other-host:1', now())`);
    await expect(runner(tallying(3)).prepare()).rejects.toThrow(/KITE_PARTITIONS is 3 but its checkpoints are kept in 7 partitions, and other-host:1 still runs/);
    await ds.query(`DELETE FROM processor_instances WHERE owner = 'other-host:1'`);
    await sendAll(7, 9);
    await runWith(3, [0, 1, 2], async () => (await count()) === 12 * 9);
    for (const s of subjects) expect(await tallies(s)).toEqual(Array.from({ length: 9 }, (_, n) => n));
    expect(await ds.query(`SELECT partition FROM checkpoints WHERE processor = 'repart' ORDER BY partition`)).toEqual([0, 1, 2].map((partition) => ({ partition })));
    expect(await ds.query(`SELECT max(partition) AS top FROM partition_leases WHERE processor = 'repart'`)).toEqual([{ top: 2 }]);
    expect(await ds.query(`SELECT DISTINCT partitions FROM handled_marks WHERE processor = 'repart' ORDER BY partitions`)).toEqual([{ partitions: 4 }, { partitions: 7 }]);
  });

  it('a message that keeps failing is dead-lettered after 5 attempts, and the messages behind it, of its subject too, are handled', async () => {
    const r = runner(new Tallying('poison'));
    await r.prepare();
    await r.assign([0, 1, 2, 3]);
    await publish('tally.poison.acme.k1', { n: 1 });
    const poisoned = await publish('tally.poison.acme.k1', { n: 2, fail: 'always' });
    await publish('tally.poison.acme.k1', { n: 3 });
    await publish('tally.poison.acme.k1', '{ not a tally');
    await publish('tally.poison.acme.k1', { n: 4 });
    await eventually(async () => (await tallies('tally.poison.acme.k1')).length === 3 || undefined, 'the tallies behind the poison', 20_000);
    expect(await tallies('tally.poison.acme.k1')).toEqual([1, 3, 4]);
    const letters = deadLetters.filter((d) => d.consumer === 'test-service-poison');
    expect(letters.map((d) => [d.seq === poisoned.seq, d.reason])).toEqual([
      [true, 'failed 5 times, last: this tally cannot be kept'],
      [false, 'n: not a number'],
    ]);
  });

  it('a batch of messages that concern the processor costs no transaction; the checkpoint is saved with the next one', async () => {
    const processor = new Tallying('skip');
    const r = runner(processor);
    await r.prepare();
    await r.assign([0, 1, 2, 3]);
    const subject = 'tally.skip.acme.k1';
    await publish(subject, { n: 1, skip: true });
    await eventually(() => r.caughtUp, 'the skipped message read');
    expect(processor.calls).toBe(0);
    const last = await publish(subject, { n: 2 });
    await eventually(async () => (await tallies(subject)).length === 1 || undefined, 'the next message kept');
    expect(processor.calls).toBe(1);
    const [checkpoint] = (await ds.query(`SELECT position::int AS position FROM checkpoints WHERE processor = 'skip' AND partition = $1`, [partitionOf(subject, 4)])) as { position: number }[];
    expect(checkpoint?.position).toBe(last.seq);
  });

  it('two instances that both believe they hold the partitions: each message is kept once, the loser reads again from the checkpoint', async () => {
    const first = runner(new Tallying('fenced'));
    const second = runner(new Tallying('fenced'));
    await first.prepare();
    await second.prepare();
    await Promise.all([first.assign([0, 1, 2, 3]), second.assign([0, 1, 2, 3])]);
    const subjects = Array.from({ length: 4 }, (_, i) => `tally.fenced.acme.k${i}`);
    for (let n = 0; n < 25; n++) await Promise.all(subjects.map((s) => publish(s, { n })));
    await eventually(async () => (await ds.query(`SELECT count(*)::int AS c FROM tallies WHERE subject LIKE 'tally.fenced.%'`))[0].c === 100, 'every tally kept');
    // The loser's batches, retried or not, come to nothing: nothing kept twice, nothing set aside.
    await new Promise((r) => setTimeout(r, 3_000));
    for (const s of subjects) expect(await tallies(s)).toEqual(Array.from({ length: 25 }, (_, n) => n));
    expect(deadLetters.filter((d) => d.consumer === 'test-service-fenced')).toEqual([]);
    expect([first.caughtUp, second.caughtUp]).toEqual([true, true]);
  });

  it('leases share the partitions between two instances, and the partitions of one that stops go to the other', async () => {
    const a = runner(new Tallying('shared'));
    const b = runner(new Tallying('shared'));
    await a.prepare();
    await b.prepare();
    const leasesA = new PartitionLeases(ds, [a as ProcessorRunner<unknown, unknown>], 'host-a:1');
    const leasesB = new PartitionLeases(ds, [b as ProcessorRunner<unknown, unknown>], 'host-b:1');
    leases.push(leasesA, leasesB);
    await leasesA.start();
    expect(a.held).toEqual([0, 1, 2, 3]);
    await leasesB.start();
    await eventually(() => a.held.length === 2 && b.held.length === 2, 'two partitions each', 15_000);
    expect([...a.held, ...b.held].sort()).toEqual([0, 1, 2, 3]);
    await leasesA.stop();
    await a.assign([]);
    await eventually(() => b.held.length === 4, 'the other instance holding every partition', 15_000);
  });

  describe('a holding processor', () => {
    const sumTo = (n: number) => (n * (n - 1)) / 2;

    it('keeps each message once, in order, reading what it holds only once, and commits its batches together with the checkpoints', async () => {
      const processor = new HoldingTallying('held');
      const r = runner(processor);
      await r.prepare();
      await r.assign([0, 1, 2, 3]);
      const subjects = Array.from({ length: 8 }, (_, i) => `tally.held.acme.k${i}`);
      for (let n = 0; n < 25; n++) await Promise.all(subjects.map((s) => publish(s, { n })));
      await eventually(async () => r.caughtUp && (await ds.query(`SELECT count(*)::int AS c FROM tallies WHERE subject LIKE 'tally.held.%'`))[0].c === 200, 'everything handled and committed');
      for (const s of subjects) expect(await tallies(s)).toEqual(Array.from({ length: 25 }, (_, n) => n));
      expect(await sums('tally.held.%')).toEqual(Object.fromEntries(subjects.map((s) => [s, sumTo(25)])));
      expect(processor.reads).toBeLessThanOrEqual(subjects.length);
      const [last] = (await ds.query(`SELECT max(position)::int AS position FROM checkpoints WHERE processor = 'held'`)) as { position: number }[];
      expect(last?.position).toBe(sent);
    });

    it('the checks its batches leave run once per group commit, on every batch\'s items, in its transaction before its writes', async () => {
      const processor = new CheckingTallying('checked');
      const r = runner(processor);
      await r.prepare();
      await r.assign([0, 1, 2, 3]);
      const first = sent + 1;
      const subjects = Array.from({ length: 8 }, (_, i) => `tally.checked.acme.k${i}`);
      for (let n = 0; n < 10; n++) await Promise.all(subjects.map((s) => publish(s, { n })));
      await eventually(async () => r.caughtUp && (await ds.query(`SELECT count(*)::int AS c FROM tallies WHERE subject LIKE 'tally.checked.%'`))[0].c === 80, 'everything handled and committed');
      const seqs = processor.checked.flatMap((c) => c.seqs).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 80 }, (_, i) => first + i));
      expect(processor.checked.map((c) => c.committedBefore)).toEqual(processor.checked.map(() => 0));
      expect(processor.checked.length).toBeLessThan(processor.calls);
    });

    it('two instances that both believe they hold the partitions: the loser\'s group commit is refused, it reads again, and every sum is right', async () => {
      const first = runner(new HoldingTallying('held-fenced'));
      const second = runner(new HoldingTallying('held-fenced'));
      await first.prepare();
      await second.prepare();
      await Promise.all([first.assign([0, 1, 2, 3]), second.assign([0, 1, 2, 3])]);
      const subjects = Array.from({ length: 4 }, (_, i) => `tally.held-fenced.acme.k${i}`);
      for (let n = 0; n < 25; n++) await Promise.all(subjects.map((s) => publish(s, { n })));
      await eventually(async () => first.caughtUp && second.caughtUp && (await ds.query(`SELECT count(*)::int AS c FROM tallies WHERE subject LIKE 'tally.held-fenced.%'`))[0].c === 100, 'every tally kept', 20_000);
      for (const s of subjects) expect(await tallies(s)).toEqual(Array.from({ length: 25 }, (_, n) => n));
      expect(await sums('tally.held-fenced.%')).toEqual(Object.fromEntries(subjects.map((s) => [s, sumTo(25)])));
      expect(deadLetters.filter((d) => d.consumer === 'test-service-held-fenced')).toEqual([]);
    });

    it('beyond its bound, what a partition holds is forgotten once committed, and read again when needed', async () => {
      const processor = new HoldingTallying('held-bound', 2);
      const r = runner(processor);
      await r.prepare();
      await r.assign([0, 1, 2, 3]);
      const subjects = Array.from({ length: 16 }, (_, i) => `tally.held-bound.acme.k${i}`);
      for (let n = 0; n < 10; n++) {
        await Promise.all(subjects.map((s) => publish(s, { n })));
        await eventually(async () => r.caughtUp && (await ds.query(`SELECT count(*)::int AS c FROM tallies WHERE subject LIKE 'tally.held-bound.%'`))[0].c === 16 * (n + 1), `round ${n} kept`);
      }
      expect(await sums('tally.held-bound.%')).toEqual(Object.fromEntries(subjects.map((s) => [s, sumTo(10)])));
      expect([0, 1, 2, 3].map((p) => processor.held.sizeOf(p)).filter((size) => size > 2)).toEqual([]);
      expect(processor.reads).toBeGreaterThan(1);
    });

    it('a write the database refuses fails its group: the group is handled again a batch at a time, the poison is dead-lettered, the rest kept', async () => {
      const r = runner(new HoldingTallying('held-poison'));
      await r.prepare();
      await r.assign([0, 1, 2, 3]);
      const subject = 'tally.held-poison.acme.k1';
      await publish(subject, { n: 1 });
      const refused = await publish(subject, { n: 5000 });
      const thrown = await publish(subject, { n: 7, fail: 'always' });
      await publish(subject, { n: 3 });
      await eventually(async () => ((await tallies(subject)).length === 2 && r.caughtUp) || undefined, 'the tallies around the poison', 30_000);
      expect(await tallies(subject)).toEqual([1, 3]);
      expect(await sums(subject)).toEqual({ [subject]: 4 });
      const letters = deadLetters.filter((d) => d.consumer === 'test-service-held-poison');
      expect(letters.map((d) => d.seq).sort()).toEqual([refused.seq, thrown.seq].sort());
    }, 40_000);
  });
});
