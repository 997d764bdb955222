import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { partitionOf } from '@kite/contracts';
import { PartitionMarks } from './partition-marks.js';

const mark = (partitions: number, partition: number, untilSeq: number) => ({ processor: 'p', partitions, partition, untilSeq });

describe('PartitionMarks: what was handled in another partition count', () => {
  it('without marks no message is covered', () => {
    expect(new PartitionMarks().covers('kite.conv.acme.c1', 1)).toBe(false);
  });

  it('a message is covered up to where its own partition stood, not after it', () => {
    const key = 'kite.conv.acme.c1';
    const mine = partitionOf(key, 4);
    const marks = new PartitionMarks([0, 1, 2, 3].map((p) => mark(4, p, p === mine ? 100 : 500)));
    expect([marks.covers(key, 100), marks.covers(key, 101), marks.covers(key, 499)]).toEqual([true, false, false]);
  });

  it('marks of several partition counts add up: handled under either is covered', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(200), fc.array(fc.nat(200), { minLength: 3, maxLength: 3 }), fc.array(fc.nat(200), { minLength: 5, maxLength: 5 }), (key, seq, three, five) => {
        const marks = new PartitionMarks([...three.map((s, p) => mark(3, p, s)), ...five.map((s, p) => mark(5, p, s))]);
        const decided = seq <= three[partitionOf(key, 3)]! || seq <= five[partitionOf(key, 5)]!;
        expect(marks.covers(key, seq)).toBe(decided);
      }),
    );
  });

  it('ignores a mark of a partition its count does not have', () => {
    expect(new PartitionMarks([mark(2, 7, 100)]).covers('k', 50)).toBe(false);
  });
});
