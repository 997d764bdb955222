import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { partitionOf } from '@kite/contracts';
import { ReplayMarks } from './replay-marks.js';

const mark = (partitions: number, partition: number, untilSeq: number) => ({ processor: 'p', partitions, partition, untilSeq });

describe('ReplayMarks: what a rebuild decides on again', () => {
  it('without marks every message is live', () => {
    expect(new ReplayMarks().live('kite.conv.acme.c1', 1)).toBe(true);
  });

  it('a message is replayed up to where its own partition stood, and live after it', () => {
    const key = 'kite.conv.acme.c1';
    const mine = partitionOf(key, 4);
    const marks = new ReplayMarks([0, 1, 2, 3].map((p) => mark(4, p, p === mine ? 100 : 500)));
    expect([marks.live(key, 100), marks.live(key, 101), marks.live(key, 499)]).toEqual([false, true, true]);
  });

  it('marks from another partition count (a rebuild not finished before) count too: decided under either is replayed', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(200), fc.array(fc.nat(200), { minLength: 3, maxLength: 3 }), fc.array(fc.nat(200), { minLength: 5, maxLength: 5 }), (key, seq, three, five) => {
        const marks = new ReplayMarks([...three.map((s, p) => mark(3, p, s)), ...five.map((s, p) => mark(5, p, s))]);
        const decided = seq <= three[partitionOf(key, 3)]! || seq <= five[partitionOf(key, 5)]!;
        expect(marks.live(key, seq)).toBe(!decided);
      }),
    );
  });

  it('ignores a mark of a partition its count does not have', () => {
    expect(new ReplayMarks([mark(2, 7, 100)]).live('k', 50)).toBe(true);
  });
});
