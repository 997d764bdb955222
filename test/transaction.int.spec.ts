import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { inTransaction, openServiceDatabase, type DataSource, type MigrationInterface, type QueryRunner } from '@kite/persistence';
import { createTestDatabase } from '@kite/testing';

class Items1700000000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE items (id text PRIMARY KEY, n int NOT NULL CHECK (n >= 0))`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE items`);
  }
}

/** A projection's transaction on PostgreSQL: pipelined statements, prepared once, all or nothing. */
describe('Transaction', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  beforeAll(async () => {
    database = await createTestDatabase();
    ds = await openServiceDatabase({ url: database.url, schema: 'tx_test', migrations: [Items1700000000000], poolSize: 1 });
  });
  afterAll(async () => {
    await ds?.destroy();
    await database?.drop();
  });

  const count = async () => Number(((await ds.query(`SELECT count(*) AS n FROM items`)) as { n: string }[])[0]!.n);

  it('returns the rows of each statement and applies the queued writes at commit, in order', async () => {
    const rows = await inTransaction(ds, async (tx) => {
      const first = await tx.query(`INSERT INTO items (id, n) VALUES ($1, $2) RETURNING id, n`, ['a', 1]);
      tx.later(`UPDATE items SET n = n + $2 WHERE id = $1`, ['a', 10]);
      tx.later(`UPDATE items SET n = n * $2 WHERE id = $1`, ['a', 2]);
      const second = await tx.query(`SELECT n FROM items WHERE id = ANY($1::text[])`, [['a', 'zz']]);
      return { first, second };
    });
    expect(rows).toEqual({ first: [{ id: 'a', n: 1 }], second: [{ n: 1 }] });
    expect(await ds.query(`SELECT n FROM items WHERE id = 'a'`)).toEqual([{ n: 22 }]);
  });

  it('a queued write that fails rolls back the whole transaction, its error thrown, and the connection serves the next one', async () => {
    const before = await count();
    await expect(
      inTransaction(ds, async (tx) => {
        await tx.query(`INSERT INTO items (id, n) VALUES ($1, $2)`, ['b', 1]);
        tx.later(`INSERT INTO items (id, n) VALUES ($1, $2)`, ['c', 1]);
        tx.later(`INSERT INTO items (id, n) VALUES ($1, $2)`, ['d', -1]);
        tx.later(`INSERT INTO items (id, n) VALUES ($1, $2)`, ['e', 1]);
      }),
    ).rejects.toThrow(/check constraint/);
    expect(await count()).toBe(before);
    await inTransaction(ds, async (tx) => tx.later(`INSERT INTO items (id, n) VALUES ($1, $2)`, ['f', 1]));
    expect(await count()).toBe(before + 1);
  });

  it('a check left for the commit runs in the transaction before the queued writes; one that throws rolls it all back', async () => {
    const seen = await inTransaction(ds, async (tx) => {
      const saw: unknown[] = [];
      tx.later(`INSERT INTO items (id, n) VALUES ($1, $2)`, ['checked', 1]);
      tx.beforeCommit(async (t, ids) => void saw.push(await t.query(`SELECT id FROM items WHERE id = ANY($1::text[])`, [ids])), ['checked']);
      return saw;
    });
    expect(seen).toEqual([[]]);
    expect(await ds.query(`SELECT n FROM items WHERE id = 'checked'`)).toEqual([{ n: 1 }]);
    const before = await count();
    await expect(
      inTransaction(ds, async (tx) => {
        await tx.query(`INSERT INTO items (id, n) VALUES ($1, $2)`, ['refused-1', 1]);
        tx.later(`INSERT INTO items (id, n) VALUES ($1, $2)`, ['refused-2', 1]);
        tx.beforeCommit(() => Promise.reject(new Error('the check refused')), []);
      }),
    ).rejects.toThrow('the check refused');
    expect(await count()).toBe(before);
  });

  it('a failing first statement leaves nothing behind either', async () => {
    const before = await count();
    await expect(inTransaction(ds, async (tx) => tx.query(`INSERT INTO items (id, n) VALUES ($1, $2)`, ['g', -5]))).rejects.toThrow(/check constraint/);
    expect(await count()).toBe(before);
  });

  it('prepares each statement once per connection, however often it runs', async () => {
    const statement = `SELECT n FROM items WHERE id = $1 AND n >= $2`;
    for (let i = 0; i < 5; i++) await inTransaction(ds, (tx) => tx.query(statement, ['a', i]));
    const prepared = await inTransaction(ds, (tx) => tx.query(`SELECT statement FROM pg_prepared_statements WHERE statement = $1`, [statement]));
    expect(prepared).toHaveLength(1);
  });

  it('a lookup by a list of keys uses the index once the table has grown, however often it ran while the table was empty', async () => {
    // A row as wide as a conversation's: the plan PostgreSQL makes on the empty table for a number
    // of keys it does not know is a scan of every row, and a plan kept then would stay.
    await ds.query(`CREATE TABLE grows (id text PRIMARY KEY, tenant text NOT NULL, contact text NOT NULL, service_id text NOT NULL, number text NOT NULL, origin text NOT NULL,
      links text[] NOT NULL, created_at timestamptz NOT NULL, members text[] NOT NULL, detached text[] NOT NULL, last_channel text, UNIQUE (tenant, contact, service_id))`);
    // Analyzed while empty, as autovacuum or a rebuild may leave it: the planner knows it holds nothing.
    await ds.query(`ANALYZE grows`);
    const lookup = `SELECT * FROM grows WHERE id = ANY($1::text[])`;
    const scans = async () => ((await ds.query(`SELECT seq_scan::int AS seq, idx_scan::int AS idx FROM pg_stat_user_tables WHERE relid = 'grows'::regclass`)) as { seq: number; idx: number }[])[0]!;
    // More than the five runs after which PostgreSQL may keep one plan for every run to come.
    const batch = Array.from({ length: 100 }, (_, i) => `k${i}`);
    for (let i = 0; i < 10; i++) await inTransaction(ds, (tx) => tx.query(lookup, [batch]));
    await ds.query(`INSERT INTO grows SELECT 'k' || i, 'tenant', '+1555' || i, 'sales', '+15550001', 'sms', '{}', now(), '{}', '{}', NULL FROM generate_series(1, 50000) AS i`);
    // The counters are flushed per backend: the pool's one connection ran the lookups.
    await ds.query(`SELECT pg_stat_force_next_flush()`);
    const before = await scans();
    const rows = await inTransaction(ds, (tx) => tx.query(lookup, [['k7', 'k49999', 'absent']]));
    await ds.query(`SELECT pg_stat_force_next_flush()`);
    const after = await scans();
    expect(rows).toHaveLength(2);
    expect(after.seq - before.seq).toBe(0);
    expect(after.idx - before.idx).toBeGreaterThan(0);
  });

  const text = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\u0000/g, ''));

  it('any text, any array of text, any JSON object come back equal', async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.array(text, { maxLength: 5 }), fc.dictionary(text, text, { maxKeys: 4 }), async (s, list, object) => {
        const rows = await inTransaction(ds, (tx) => tx.query(`SELECT $1::text AS s, $2::text[] AS list, $3::jsonb AS object`, [s, list, object]));
        expect(rows).toEqual([{ s, list, object }]);
      }),
      { numRuns: 200 },
    );
  });
});
