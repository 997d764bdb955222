import { partitionOf } from '@kite/contracts';
import type { ReplayMark } from '@kite/persistence';

/**
 * Which messages a rebuilt processor only projects again: those it had decided on before its read
 * model was dropped, up to where the message's partition stood then (in the partition count of
 * then). What came after was never decided on, and is decided now (`live`). No marks: all is live.
 */
export class ReplayMarks {
  private readonly partitionings: { partitions: number; until: number[] }[] = [];
  private readonly highest: number;

  constructor(marks: readonly ReplayMark[] = []) {
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

  /** Whether the message (by its ordering key) is decided on, not only projected. */
  live(key: string, seq: number): boolean {
    if (seq > this.highest) return true;
    return !this.partitionings.some(({ partitions, until }) => seq <= until[partitionOf(key, partitions)]!);
  }
}
