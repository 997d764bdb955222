import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { scratchDatabase } from '@kite/testing';
import { CheckpointMoves1733300000000, Positions1732399999000, Processors1733200000000 } from './checkpoints.js';
import { openServiceDatabase } from './data-source.js';
import { HandledMarks1733700000000, readPartitionMarks, ReplayMarksPerPartition1733600000000 } from './partition-marks.js';
import { standingBeforeDrop } from './rebuild-standing.js';

const BEFORE = [Positions1732399999000, Processors1733200000000, CheckpointMoves1733300000000];
const SCHEMA = 'replay_marks_test';

/** What a rebuild keeps of the schema it drops: where each processor stood, whatever the schema's age. */
describe('replay marks', () => {
  const database = scratchDatabase((url, migrations: typeof BEFORE) => openServiceDatabase({ url, schema: SCHEMA, migrations, poolSize: 1 }));
  beforeAll(() => database.create());
  afterAll(() => database.drop());

  it('a schema from before: its stream mark of an unfinished rebuild counts for each processor of the stream; the migration keeps it per processor; handled marks are kept', async () => {
    const before = await database.open(BEFORE);
    await before.query(`INSERT INTO checkpoints (processor, partition, stream, position) VALUES ('conversations', 0, 'KITE_CONV', 12), ('conversations', 1, 'KITE_CONV', 30), ('config', 0, 'KITE_CONFIG', 5), ('messages', 0, 'KITE_IN', 9)`);
    await before.query(`INSERT INTO replay_marks (stream, until_seq) VALUES ('KITE_CONV', 20)`);
    expect(await standingBeforeDrop(before, SCHEMA, ['KITE_IN'])).toEqual({
      inputs: [{ processor: 'messages', partition: 0, stream: 'KITE_IN', position: '9' }],
      marks: [
        { processor: 'config', partitions: 1, partition: 0, untilSeq: 5 },
        { processor: 'conversations', partitions: 2, partition: 0, untilSeq: 12 },
        { processor: 'conversations', partitions: 2, partition: 1, untilSeq: 30 },
        { processor: 'conversations', partitions: 1, partition: 0, untilSeq: 20 },
      ],
      handled: [],
      unclean: [],
    });
    await before.destroy();

    const after = await database.open([...BEFORE, ReplayMarksPerPartition1733600000000]);
    expect(await readPartitionMarks(after, 'replay_marks', 'conversations')).toEqual([{ processor: 'conversations', partitions: 1, partition: 0, untilSeq: 20 }]);
    expect(await readPartitionMarks(after, 'replay_marks', 'config')).toEqual([]);
    await after.query(`INSERT INTO replay_marks (processor, partitions, partition, until_seq) VALUES ('config', 1, 0, 4)`);
    expect((await standingBeforeDrop(after, SCHEMA, ['KITE_IN'])).marks).toContainEqual({ processor: 'config', partitions: 1, partition: 0, untilSeq: 4 });
    await after.destroy();

    // After a partition count changed: an input keeps its handled marks; a replayed processor's count as decided.
    const now = await database.open([...BEFORE, ReplayMarksPerPartition1733600000000, HandledMarks1733700000000]);
    await now.query(`INSERT INTO handled_marks (processor, partitions, partition, until_seq) VALUES ('messages', 3, 2, 8), ('conversations', 4, 1, 25)`);
    const standing = await standingBeforeDrop(now, SCHEMA, ['KITE_IN']);
    expect(standing.handled).toEqual([{ processor: 'messages', partitions: 3, partition: 2, untilSeq: 8 }]);
    expect(standing.marks).toContainEqual({ processor: 'conversations', partitions: 4, partition: 1, untilSeq: 25 });
    expect(standing.unclean).toEqual([]);
    // An instance that did not stop cleanly (a clean stop removes its row) is named, with when it was last seen.
    await now.query(`INSERT INTO processor_instances (owner, seen_at) VALUES ('pod-a:3000', '2026-12-04 10:00:00+00')`);
    expect((await standingBeforeDrop(now, SCHEMA, ['KITE_IN'])).unclean).toEqual(['pod-a:3000 (last seen 2026-12-04 10:00:00 UTC)']);
  });

  it('a schema that is gone leaves nothing to keep', async () => {
    const other = await database.open(BEFORE);
    expect(await standingBeforeDrop(other, 'no_such_schema', ['KITE_IN'])).toEqual({ inputs: [], marks: [], handled: [], unclean: [] });
  });
});
