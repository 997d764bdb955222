/**
 * What a holding processor knows, by partition and key, as its committed state plus the writes of
 * its batches not committed yet. Valid while the instance holds the partition and its commits
 * land; the shell drops a partition's when that is no longer sure.
 */
export class HeldState<Value> {
  private readonly byPartition = new Map<number, Map<string, Value>>();

  get(partition: number, key: string): Value | undefined {
    return this.byPartition.get(partition)?.get(key);
  }

  set(partition: number, key: string, value: Value): void {
    const held = this.byPartition.get(partition);
    if (held) held.set(key, value);
    else this.byPartition.set(partition, new Map([[key, value]]));
  }

  /** How many keys are held of the partition. */
  sizeOf(partition: number): number {
    return this.byPartition.get(partition)?.size ?? 0;
  }

  /** Forgets what is held of these partitions, or of all. */
  drop(partitions?: Iterable<number>): void {
    if (!partitions) return this.byPartition.clear();
    for (const p of partitions) this.byPartition.delete(p);
  }
}
