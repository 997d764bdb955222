import { logEntryOf, type Delivery, type EventLog, type LogEntry, type Settlement } from '@kite/messaging';
import { lockPosition, replayMark, savePosition, type DataSource, type EntityManager } from '@kite/persistence';

/**
 * A projection of conversation logs that applies each conversation's entries strictly in chain
 * order, whatever order they are delivered in and however many instances run: the conversation's
 * position row is locked, entries already applied are skipped, and entries missed in between
 * (another instance is slow, a redelivery came late) are read from the log and applied first.
 */
export interface ChainedProjection {
  readonly name: string;
  /**
   * Applies one entry inside the transaction. `live` is false while a rebuilt projection replays
   * entries it had already decided on: project, but decide nothing again.
   */
  apply(tx: EntityManager, entry: LogEntry, live: boolean): Promise<void>;
}

export async function applyInChainOrder(ds: DataSource, log: EventLog, projection: ChainedProjection, entry: LogEntry): Promise<'applied' | 'duplicate'> {
  return ds.transaction(async (tx) => {
    const position = await lockPosition(tx, projection.name, entry.subject);
    if (entry.seq <= position) return 'duplicate';
    const missed: LogEntry[] = [];
    for (let prev = entry.prev; prev > position; ) {
      const earlier = await log.entryAt(prev);
      if (!earlier) throw new Error(`entry ${prev} of ${entry.subject} is missing from the log`);
      missed.unshift(earlier);
      prev = earlier.prev;
    }
    const mark = await replayMark(tx, log.stream);
    for (const e of [...missed, entry]) await projection.apply(tx, e, e.seq > mark);
    await savePosition(tx, projection.name, entry.subject, entry.seq);
    return 'applied';
  });
}

/** A delivery from a conversation log: decoded (a bad entry is dead-lettered), then applied in chain order. */
export async function handleLogDelivery(ds: DataSource, log: EventLog, projection: ChainedProjection, delivery: Delivery): Promise<Settlement | void> {
  const decoded = logEntryOf(delivery);
  if ('dead' in decoded) return decoded.dead;
  await applyInChainOrder(ds, log, projection, decoded.entry);
}
