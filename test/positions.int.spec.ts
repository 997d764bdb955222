import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inTransaction, lockPositions, openServiceDatabase, Positions1732399999000, savePositions, tryLockPosition, type DataSource, type Transaction } from '@kite/persistence';
import { createTestDatabase } from '@kite/testing';

/** Where a projection stands per aggregate: locked, read and saved as instances racing on one aggregate need. */
describe('positions', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  beforeAll(async () => {
    database = await createTestDatabase();
    ds = await openServiceDatabase({ url: database.url, schema: 'positions_test', migrations: [Positions1732399999000], poolSize: 4 });
  });
  afterAll(async () => {
    await ds?.destroy();
    await database?.drop();
  });

  /** A transaction that locks `aggregate`'s position and holds it until released, then runs `beforeCommit`. */
  function holdingLock(aggregate: string, beforeCommit: (tx: Transaction) => Promise<unknown>) {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let nowLocked!: () => void;
    const locked = new Promise<void>((r) => (nowLocked = r));
    const done = inTransaction(ds, async (tx) => {
      await lockPositions(tx, 'p', 'S', [aggregate]);
      nowLocked();
      await released;
      await beforeCommit(tx);
    });
    return { locked, release, done };
  }

  const version = async (aggregate: string) => ((await ds.query(`SELECT xmin::text AS v FROM positions WHERE aggregate = $1`, [aggregate])) as { v: string }[])[0]?.v;

  it('a new aggregate stands at 0, and at what was saved afterwards', async () => {
    const first = await inTransaction(ds, async (tx) => {
      const { positions } = await lockPositions(tx, 'p', 'S', ['a.1', 'a.2']);
      await savePositions(tx, 'p', [{ aggregate: 'a.1', seq: 7 }]);
      return positions;
    });
    expect(Object.fromEntries(first)).toEqual({ 'a.1': 0, 'a.2': 0 });
    const then = await inTransaction(ds, async (tx) => (await lockPositions(tx, 'p', 'S', ['a.2', 'a.1'])).positions);
    expect(Object.fromEntries(then)).toEqual({ 'a.1': 7, 'a.2': 0 });
  });

  it('locking an existing position writes no new version of its row', async () => {
    await inTransaction(ds, async (tx) => lockPositions(tx, 'p', 'S', ['b.1']));
    const before = await version('b.1');
    await inTransaction(ds, async (tx) => lockPositions(tx, 'p', 'S', ['b.1']));
    expect(await version('b.1')).toBe(before);
  });

  it('a second transaction waits for the first and reads the position it saved', async () => {
    await inTransaction(ds, async (tx) => lockPositions(tx, 'p', 'S', ['c.1']));
    const first = holdingLock('c.1', (tx) => savePositions(tx, 'p', [{ aggregate: 'c.1', seq: 42 }]));
    await first.locked;
    let secondRead: number | undefined;
    const second = inTransaction(ds, async (tx) => (secondRead = (await lockPositions(tx, 'p', 'S', ['c.1'])).positions.get('c.1')));
    await new Promise((r) => setTimeout(r, 200));
    expect(secondRead).toBeUndefined();
    first.release();
    await Promise.all([first.done, second]);
    expect(secondRead).toBe(42);
  });

  it('a read alongside the locks sees what the previous lock holder committed', async () => {
    await ds.query(`CREATE TABLE IF NOT EXISTS states (aggregate text PRIMARY KEY, value int NOT NULL)`);
    await ds.query(`INSERT INTO states VALUES ('e.1', 1)`);
    const first = holdingLock('e.1', (tx) => tx.query(`UPDATE states SET value = 2 WHERE aggregate = 'e.1'`));
    await first.locked;
    const stateRead = { sql: `SELECT value FROM states WHERE aggregate = ANY($1::text[])`, params: [['e.1']] };
    const second = inTransaction(ds, async (tx) => (await lockPositions(tx, 'p', 'S', ['e.1'], [stateRead])).alongside);
    await new Promise((r) => setTimeout(r, 200));
    first.release();
    await first.done;
    expect(await second).toEqual([[{ value: 2 }]]);
  });

  it('two transactions on an aggregate new to both: the second waits for the first and reads the position it saved', async () => {
    const first = holdingLock('d.1', (tx) => savePositions(tx, 'p', [{ aggregate: 'd.1', seq: 5 }]));
    await first.locked;
    let secondRead: number | undefined;
    const second = inTransaction(ds, async (tx) => (secondRead = (await lockPositions(tx, 'p', 'S', ['d.2', 'd.1'])).positions.get('d.1')));
    await new Promise((r) => setTimeout(r, 200));
    expect(secondRead).toBeUndefined();
    first.release();
    await Promise.all([first.done, second]);
    expect(secondRead).toBe(5);
    expect(await ds.query(`SELECT aggregate, seq::int FROM positions WHERE aggregate LIKE 'd.%'`)).toEqual([{ aggregate: 'd.1', seq: 5 }]);
  });

  it('the replay mark is read with the positions, also when every aggregate is new', async () => {
    await ds.query(`INSERT INTO replay_marks (stream, until_seq) VALUES ('MARKED', 77)`);
    const { positions, replayMark } = await inTransaction(ds, (tx) => lockPositions(tx, 'p', 'MARKED', ['f.1']));
    expect([Object.fromEntries(positions), replayMark]).toEqual([{ 'f.1': 0 }, 77]);
    expect((await inTransaction(ds, (tx) => lockPositions(tx, 'p', 'UNMARKED', ['f.1']))).replayMark).toBe(0);
  });

  it('projections lock apart: the same aggregate under another projection does not wait', async () => {
    const first = holdingLock('g.1', async () => undefined);
    await first.locked;
    const other = await inTransaction(ds, async (tx) => (await lockPositions(tx, 'q', 'S', ['g.1'])).positions.get('g.1'));
    expect(other).toBe(0);
    first.release();
    await first.done;
  });

  it('a try at the lock gives up while the projection holds it; once it is taken, the projection waits for it', async () => {
    const first = holdingLock('h.1', async () => undefined);
    await first.locked;
    expect(await inTransaction(ds, (tx) => tryLockPosition(tx, 'p', 'h.1'))).toBe(false);
    expect(await inTransaction(ds, (tx) => tryLockPosition(tx, 'q', 'h.1'))).toBe(true);
    first.release();
    await first.done;
    let projectionLocked = false;
    let projection: Promise<unknown> | undefined;
    await inTransaction(ds, async (tx) => {
      expect(await tryLockPosition(tx, 'p', 'h.1')).toBe(true);
      projection = inTransaction(ds, async (other) => {
        await lockPositions(other, 'p', 'S', ['h.1']);
        projectionLocked = true;
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(projectionLocked).toBe(false);
    });
    await projection;
    expect(projectionLocked).toBe(true);
  });
});
