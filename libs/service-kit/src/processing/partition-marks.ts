import { partitionOf } from '@kite/contracts';
import type { PartitionMark } from '@kite/persistence';

/**
 * Messages a processor had handled in another partition count: up to where each message's
 * partition stood (in the count of then). Replay marks: what a rebuild only projects again, as it
 * was decided on before its read model was dropped. Handled marks: what a processor skips after
 * `KITE_PARTITIONS` changed. No marks: nothing is covered.
 */
export class PartitionMarks {
  private readonly partitionings: { partitions: number; until: number[] }[] = [];
  private readonly highest: number;

  constructor(marks: readonly PartitionMark[] = []) {
    const byCount = new Map<number, number[]>();
    for (const { partitions, partition, untilSeq } of marks) {
      if (partition < 0 || partition >= partitions) continue;
      const until = byCount.get(partitions) ?? new Array<number>(partitions).fill(0);
      until[partition] = Math.max(until[partition]!, untilSeq);
      byCount.set(partitions, until);
    }
    for (const [partitions, until] of byCount) this.partitionings.push({ partitions, until });
    this.highest = Math.max(0, ...this.partitionings.flatMap((p) => p.until));
  }

  /** Whether the message (by its ordering key) is at or before its partition's mark in any count. */
  covers(key: string, seq: number): boolean {
    if (seq > this.highest) return false;
    return this.partitionings.some(({ partitions, until }) => seq <= until[partitionOf(key, partitions)]!);
  }
}
