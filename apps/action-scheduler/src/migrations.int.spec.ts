import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openServiceDatabase, Processors1733200000000, ReplayMarksPerPartition1733600000000 } from '@kite/persistence';
import { scratchDatabase } from '@kite/testing';
import { ActivityPositions1732400000800, SCHEDULER_MIGRATIONS } from './migrations.js';

/** A scheduler that ran before its positions moved into the activity rows keeps where it stood. */
describe('scheduler migrations', () => {
  const database = scratchDatabase((url, migrations: typeof SCHEDULER_MIGRATIONS) => openServiceDatabase({ url, schema: 'scheduler_migrations', migrations, poolSize: 1 }));
  beforeAll(() => database.create());
  afterAll(() => database.drop());

  it('each activity takes its position from the positions table, which then holds none of the projection', async () => {
    // Before the processors: no checkpoints yet, nor replay marks kept per processor.
    const beforeProcessors = SCHEDULER_MIGRATIONS.filter((m) => m !== Processors1733200000000 && m !== ReplayMarksPerPartition1733600000000);
    const before = await database.open(beforeProcessors.filter((m) => m !== ActivityPositions1732400000800));
    await before.query(`INSERT INTO activities (conversation_id, tenant, number, activity) VALUES ('c1', 'acme', '+15550001', '{}'), ('c2', 'acme', NULL, '{}')`);
    await before.query(`INSERT INTO positions (projection, aggregate, seq) VALUES ('scheduler-activity', 'kite.conv.acme.c1', 41), ('other', 'kite.conv.acme.c2', 7)`);
    await before.destroy();

    const after = await database.open(beforeProcessors);
    expect(await after.query(`SELECT conversation_id, position::int FROM activities ORDER BY conversation_id`)).toEqual([
      { conversation_id: 'c1', position: 41 },
      { conversation_id: 'c2', position: 0 },
    ]);
    expect(await after.query(`SELECT projection, aggregate, seq::int FROM positions`)).toEqual([{ projection: 'other', aggregate: 'kite.conv.acme.c2', seq: 7 }]);
    await after.destroy();

    // The processors' checkpoints replace the positions; the activities keep theirs (the timer wheel reads them).
    const now = await database.open(SCHEDULER_MIGRATIONS);
    expect(await now.query(`SELECT to_regclass('positions') AS positions, to_regclass('checkpoints') IS NOT NULL AS checkpoints`)).toEqual([{ positions: null, checkpoints: true }]);
    expect(await now.query(`SELECT conversation_id, position::int FROM activities ORDER BY conversation_id`)).toEqual([
      { conversation_id: 'c1', position: 41 },
      { conversation_id: 'c2', position: 0 },
    ]);
  });
});
