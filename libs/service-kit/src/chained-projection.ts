import { groupBy, logEntryOf, type Delivery, type EventLog, type LogEntry, type Settlement } from '@kite/messaging';
import { inTransaction, lockPositions, savePositions, type DataSource, type Read, type Transaction } from '@kite/persistence';

/** One conversation's entries to apply, in chain order; `live` is false for those a rebuild only replays. */
export interface ChainRun {
  subject: string;
  tenant: string;
  conversationId: string;
  entries: { entry: LogEntry; live: boolean }[];
}

/** Every event of a conversation's log names its conversation. */
const conversationOf = (entry: LogEntry) => ({ tenant: entry.events[0]!.tenant, conversationId: (entry.events[0]!.data as { conversationId: string }).conversationId });

/**
 * A projection of conversation logs that applies each conversation's entries strictly in chain
 * order, whatever order they are delivered in and however many instances run: the conversations'
 * position rows are locked (in one order, so two instances never deadlock on them), entries
 * already applied are skipped, and entries missed in between (another instance is slow, a
 * redelivery came late) are read from the log and applied first.
 */
export interface ChainedProjection<State> {
  readonly name: string;
  /**
   * Reads what the projection keeps of these conversations (some may have nothing to apply). It is
   * sent with the position locks, in their round trip, and runs once they are held.
   */
  stateOf(conversationIds: string[]): Read<State>;
  /**
   * Applies the runs inside the transaction, one per aggregate, ordered by subject, to the state
   * read. An entry with `live` false was decided on before a rebuild: project it, but decide
   * nothing again.
   */
  apply(tx: Transaction, runs: ChainRun[], state: State): Promise<void>;
}

/** The entries of one subject still to apply after `position`, oldest first, gaps filled from the log. */
async function chainAfter(log: EventLog, delivered: LogEntry[], position: number): Promise<LogEntry[]> {
  const bySeq = new Map(delivered.map((e) => [e.seq, e]));
  const latest = Math.max(...bySeq.keys());
  if (latest <= position) return [];
  const chain: LogEntry[] = [];
  for (let entry = bySeq.get(latest)!; ; ) {
    chain.unshift(entry);
    if (entry.prev <= position) return chain;
    const earlier = bySeq.get(entry.prev) ?? (await log.entryAt(entry.prev));
    if (!earlier) throw new Error(`entry ${entry.prev} of ${entry.subject} is missing from the log`);
    entry = earlier;
  }
}

/** Applies the entries (any subjects, any order, duplicates allowed) in one transaction. */
export async function applyInChainOrder<State>(ds: DataSource, log: EventLog, projection: ChainedProjection<State>, entries: LogEntry[]): Promise<void> {
  const bySubject = groupBy(entries, (e) => e.subject);
  const subjects = [...bySubject.keys()].sort();
  for (const [subject, delivered] of bySubject) log.noteTail(subject, Math.max(...delivered.map((e) => e.seq)));
  const state = projection.stateOf(subjects.map((subject) => conversationOf(bySubject.get(subject)![0]!).conversationId));
  await inTransaction(ds, async (tx) => {
    const { positions, replayMark: mark, alongside: [stateRows] } = await lockPositions(tx, projection.name, log.stream, subjects, [state.statement]);
    const runs: ChainRun[] = [];
    for (const subject of subjects) {
      const chain = await chainAfter(log, bySubject.get(subject)!, positions.get(subject) ?? 0);
      if (chain.length) runs.push({ subject, ...conversationOf(chain[0]!), entries: chain.map((entry) => ({ entry, live: entry.seq > mark })) });
    }
    if (runs.length === 0) return;
    await projection.apply(tx, runs, state.decode(stateRows!));
    await savePositions(tx, projection.name, runs.map((r) => ({ aggregate: r.subject, seq: r.entries.at(-1)!.entry.seq })));
  });
}

/** Deliveries from a conversation log: decoded (a bad entry is dead-lettered), then applied in chain order together. */
export async function handleLogDeliveries<State>(ds: DataSource, log: EventLog, projection: ChainedProjection<State>, deliveries: Delivery[]): Promise<(Settlement | void)[]> {
  const decoded = deliveries.map(logEntryOf);
  const entries = decoded.flatMap((d) => ('entry' in d ? [d.entry] : []));
  if (entries.length) await applyInChainOrder(ds, log, projection, entries);
  return decoded.map((d) => ('dead' in d ? d.dead : undefined));
}
