import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BatchQueue, type Read } from './batch-queue.js';

const read = (seq: number, partition: number, readAt = 0): Read<string> => ({ subject: `s.${partition}`, seq, partition, live: true, item: `m${seq}`, data: new Uint8Array(), readAt });
const seqs = (batch: readonly Read<string>[]) => batch.map((r) => r.seq);

function queue(limit = 500, linger = 0, handled = new Map<number, number>()) {
  return new BatchQueue<string>(limit, linger, (p) => handled.get(p) ?? 0);
}

describe('BatchQueue', () => {
  it('takes what waits, oldest first, up to the limit, and holds its partitions until released', () => {
    const q = queue(3);
    for (const [seq, p] of [[1, 0], [2, 1], [3, 0], [4, 2], [5, 1]] as const) q.push(read(seq, p));
    const first = q.take(1, false);
    expect(seqs(first)).toEqual([1, 2, 3]);
    expect(q.length).toBe(2);
    // Partitions 0 and 1 are held: only partition 2 is free.
    expect(seqs(q.take(1, false))).toEqual([4]);
    expect(q.take(1, false)).toEqual([]);
    q.release(first);
    expect(seqs(q.take(1, false))).toEqual([5]);
    expect(q.length).toBe(0);
  });

  it('catching up, a full batch takes half the partitions with work (oldest first) and leaves the rest to another call', () => {
    const q = queue(4);
    for (const [seq, p] of [[1, 2], [2, 0], [3, 1], [4, 3], [5, 2], [6, 0], [7, 1], [8, 3]] as const) q.push(read(seq, p));
    const first = q.take(1, false);
    expect(seqs(first)).toEqual([1, 2, 5, 6]); // partitions 2 and 0, whose oldest messages are oldest
    expect(seqs(q.take(1, false))).toEqual([3, 7]); // still a full batch waiting: half again
    expect(seqs(q.take(1, false))).toEqual([4, 8]);
  });

  it('under light load a batch takes every partition with work, in one call', () => {
    const q = queue(4);
    for (const [seq, p] of [[1, 0], [2, 1], [3, 2]] as const) q.push(read(seq, p));
    expect(seqs(q.take(1, false))).toEqual([1, 2, 3]);
  });

  it('starts a call only once `starting` messages wait in free partitions', () => {
    const q = queue();
    q.push(read(1, 0));
    expect(q.take(2, false)).toEqual([]);
    q.push(read(2, 1));
    expect(seqs(q.take(2, false))).toEqual([1, 2]);
  });

  it('with a linger, a batch that is not full waits until its oldest message has waited that long (not when stopping)', () => {
    const q = queue(500, 1_000);
    q.push(read(1, 0, performance.now()));
    expect(q.take(1, false)).toEqual([]);
    const stopping = q.take(1, true);
    expect(seqs(stopping)).toEqual([1]);
    q.release(stopping);
    q.push(read(2, 0, performance.now() - 2_000));
    expect(seqs(q.take(1, false))).toEqual([2]);
    q.stop();
  });

  /** Messages read `gap` ms apart until `until` ms ago, each taken (they waited past the linger) and released. */
  function readEvery(q: BatchQueue<string>, gap: number, until: number, count = 4): void {
    const now = performance.now();
    for (let i = count; i >= 1; i--) {
      q.push(read(100 - i, 0, now - until - i * gap));
      q.release(q.take(1, false));
    }
  }

  it('with a linger, a batch waits for the next message while one is expected within it, and is taken as the next comes when none is expected after it', () => {
    const q = queue(500, 6);
    readEvery(q, 5, 5); // 5 ms apart, as 200/s
    const now = performance.now();
    q.push(read(100, 0, now - 5));
    expect(q.take(1, false)).toEqual([]); // waited 5 of 6 ms, the next expected within them
    q.push(read(101, 1, now));
    expect(seqs(q.take(1, false))).toEqual([100, 101]); // the next after it is expected past the linger
    q.stop();
  });

  it('with a linger, a message that comes alone, none expected within the linger, is taken at once', () => {
    const q = queue(500, 6);
    readEvery(q, 100, 100); // 100 ms apart, as 10/s
    q.push(read(100, 0, performance.now()));
    expect(seqs(q.take(1, false))).toEqual([100]);
    q.stop();
  });

  it('drops what was handled meanwhile in its partition', () => {
    const handled = new Map([[0, 2]]);
    const q = queue(500, 0, handled);
    for (const [seq, p] of [[1, 0], [2, 0], [3, 0], [4, 1]] as const) q.push(read(seq, p));
    expect(seqs(q.take(1, false))).toEqual([3, 4]);
    expect(q.idle).toBe(false);
  });

  it('keeps only the partitions named, or none', () => {
    const q = queue();
    for (const [seq, p] of [[1, 0], [2, 1], [3, 2]] as const) q.push(read(seq, p));
    q.keep(new Set([1, 2]));
    expect(q.length).toBe(2);
    q.keep();
    expect(q.length).toBe(0);
    expect(q.idle).toBe(true);
  });

  it('property: every message is taken once, in stream order within its partition, never two calls on one partition', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 200 }), fc.integer({ min: 1, max: 20 }), (partitions, limit) => {
        const q = queue(limit);
        partitions.forEach((p, i) => q.push(read(i + 1, p)));
        const taken: number[] = [];
        const held: Read<string>[][] = [];
        for (let round = 0; q.length > 0 && round < 1_000; round++) {
          const batch = q.take(1, false);
          if (batch.length) {
            for (const other of held) for (const r of batch) expect(other.some((o) => o.partition === r.partition)).toBe(false);
            held.push(batch);
            taken.push(...seqs(batch));
          }
          if (held.length && (batch.length === 0 || round % 2 === 0)) q.release(held.shift()!);
        }
        expect([...taken].sort((a, b) => a - b)).toEqual(partitions.map((_, i) => i + 1));
        for (let p = 0; p <= 5; p++) {
          const order = taken.filter((seq) => partitions[seq - 1] === p);
          expect(order).toEqual([...order].sort((a, b) => a - b));
        }
      }),
    );
  });
});
