import { groupBy, logEntryOf, type Appended, type Delivery, type EventLog, type LogEntry, type Settlement } from '@kite/messaging';
import { inTransaction, lockAggregates, lockPositions, savePositions, type DataSource, type Read, type Transaction } from '@kite/persistence';
import { Counter } from 'prom-client';
import { ChainMemory, positionAfterOwnAppends } from './chain-memory.js';
import { metricsRegistry } from './metrics-registry.js';

/**
 * One conversation's entries to apply, in chain order; `live` is false for those a rebuild only
 * replays. An entry this process passed over (see `concerns`) may come without its events.
 */
export interface ChainRun {
  subject: string;
  tenant: string;
  conversationId: string;
  entries: { entry: LogEntry; live: boolean }[];
}

type Conversation = { tenant: string; conversationId: string };
/** Every event of a conversation's log names its conversation (a delivered entry has its events). */
const conversationOf = (entry: LogEntry): Conversation => ({ tenant: entry.events[0]!.tenant, conversationId: (entry.events[0]!.data as { conversationId: string }).conversationId });

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
   * The event types the projection folds or decides on (omitted: every type). Delivered entries
   * of a conversation none of which has one of them change nothing here: they are acknowledged
   * without a transaction and applied, as no-ops, with the conversation's next entry that does
   * (kept without their events, or read again from the log).
   */
  readonly concerns?: ReadonlySet<string>;
  /**
   * Reads what the projection keeps of these conversations (some may have nothing to apply). It is
   * sent with the position locks, in their round trip, and runs once they are held.
   */
  stateOf(conversationIds: string[]): Read<State>;
  /**
   * Set when the projection keeps each conversation's position in its own state row (0 when it has
   * none), not in the service's `positions` table: a projection that writes every applied
   * conversation's row anyway saves a row write and a read per conversation. Its `apply` saves,
   * with each run's row, the run's last sequence, and appends nothing it folds (returns nothing).
   */
  readonly ownPositions?: (state: State, conversationId: string) => number;
  /**
   * Applies the runs inside the transaction, one per aggregate, ordered by subject, to the state
   * read. An entry with `live` false was decided on before a rebuild: project it, but decide
   * nothing again. Returns the entries it appended whose events it folded into the state it
   * saves (its own decisions, applied at once), if any: the position moves past them, so their
   * deliveries cost no transaction.
   */
  apply(tx: Transaction, runs: ChainRun[], state: State): Promise<readonly Appended[] | void>;
}

/** The entries of one subject still to apply after `position`, oldest first, gaps filled from the log. */
async function chainAfter(log: EventLog, projection: string, memory: ChainMemory, delivered: LogEntry[], position: number): Promise<LogEntry[]> {
  const bySeq = new Map(delivered.map((e) => [e.seq, e]));
  const latest = Math.max(...bySeq.keys());
  if (latest <= position) return [];
  const chain: LogEntry[] = [];
  for (let entry = bySeq.get(latest)!; ; ) {
    chain.unshift(entry);
    if (entry.prev <= position) return chain;
    const earlier = bySeq.get(entry.prev) ?? memory.passedAt(entry.prev) ?? (await readBack(log, projection, entry.prev));
    if (!earlier) throw new Error(`entry ${entry.prev} of ${entry.subject} is missing from the log`);
    entry = earlier;
  }
}

/** Reads of single entries from a conversation log: a gap in a chain, or an entry passed over and forgotten since. */
export const chainEntriesRead = new Counter({
  name: 'kite_chain_entries_read_total',
  help: 'Entries a projection read back from its log, one request each, to fill a conversation chain (missed, or passed over and forgotten)',
  labelNames: ['projection'],
  registers: [metricsRegistry],
});

async function readBack(log: EventLog, projection: string, seq: number): Promise<LogEntry | undefined> {
  chainEntriesRead.inc({ projection });
  return log.entryAt(seq);
}

/** What this process knows of each projection's chains (one projection object per consumer). */
const memories = new WeakMap<object, ChainMemory>();
function memoryOf(projection: object): ChainMemory {
  let memory = memories.get(projection);
  if (!memory) memories.set(projection, (memory = new ChainMemory()));
  return memory;
}

/** Takes the locks on the subjects and reads the replay mark, the projection's state and its positions (from the `positions` table, or from the state). */
async function lockedState<State>(tx: Transaction, stream: string, projection: ChainedProjection<State>, conversations: Map<string, Conversation>, read: Read<State>) {
  const subjects = [...conversations.keys()];
  const { ownPositions } = projection;
  if (!ownPositions) {
    const { positions, replayMark, alongside } = await lockPositions(tx, projection.name, stream, subjects, [read.statement]);
    return { positions, replayMark, state: read.decode(alongside[0]!) };
  }
  const { replayMark, alongside } = await lockAggregates(tx, projection.name, stream, subjects, [read.statement]);
  const state = read.decode(alongside[0]!);
  const positions = new Map(subjects.map((subject) => [subject, ownPositions(state, conversations.get(subject)!.conversationId)]));
  return { positions, replayMark, state };
}

/** Applies the entries (any subjects, any order, duplicates allowed) in one transaction. */
async function applyInChainOrder<State>(ds: DataSource, log: EventLog, projection: ChainedProjection<State>, entries: LogEntry[]): Promise<void> {
  const memory = memoryOf(projection);
  const bySubject = groupBy(entries, (e) => e.subject);
  const subjects = [...bySubject.keys()].sort();
  const conversations = new Map(subjects.map((subject) => [subject, conversationOf(bySubject.get(subject)![0]!)]));
  const read = projection.stateOf([...conversations.values()].map((c) => c.conversationId));
  const committed = await inTransaction(ds, async (tx) => {
    const { positions, replayMark: mark, state } = await lockedState(tx, log.stream, projection, conversations, read);
    // Each chain walks back entry by entry; the conversations' walks, each a read from the log per
    // entry missed, go side by side while the transaction holds their locks.
    const chains = await Promise.all(subjects.map(async (subject) => ({ subject, chain: await chainAfter(log, projection.name, memory, bySubject.get(subject)!, positions.get(subject) ?? 0) })));
    const runs: ChainRun[] = chains.flatMap(({ subject, chain }) => (chain.length ? [{ subject, ...conversations.get(subject)!, entries: chain.map((entry) => ({ entry, live: entry.seq > mark })) }] : []));
    if (runs.length === 0) return positions;
    const appended = groupBy((await projection.apply(tx, runs, state)) ?? [], (a) => a.subject);
    if (projection.ownPositions && appended.size) throw new Error(`${projection.name} keeps its own positions and cannot fold what it appends`);
    const saved = runs.map((r) => ({ aggregate: r.subject, seq: positionAfterOwnAppends(r.entries.at(-1)!.entry.seq, appended.get(r.subject) ?? []) }));
    if (!projection.ownPositions) await savePositions(tx, projection.name, saved);
    for (const { aggregate, seq } of saved) positions.set(aggregate, seq);
    return positions;
  });
  for (const [subject, seq] of committed) memory.committedAt(subject, seq);
}

/**
 * The entries a transaction must apply: not those applied already (as far as this process knows),
 * nor a conversation's entries none of which concern the projection (kept for its next chain).
 */
function needingTransaction(log: EventLog, projection: ChainedProjection<unknown>, entries: LogEntry[]): LogEntry[] {
  const memory = memoryOf(projection);
  const needed: LogEntry[] = [];
  for (const [subject, delivered] of groupBy(entries, (e) => e.subject)) {
    log.noteTail(subject, Math.max(...delivered.map((e) => e.seq)));
    const fresh = delivered.filter((e) => !memory.isApplied(e));
    const concerns = projection.concerns;
    if (concerns && !fresh.some((e) => e.events.some((event) => concerns.has(event.type)))) fresh.forEach((e) => memory.pass(e));
    else needed.push(...fresh);
  }
  return needed;
}

/** Deliveries from a conversation log: decoded (a bad entry is dead-lettered), then applied in chain order together. */
export async function handleLogDeliveries<State>(ds: DataSource, log: EventLog, projection: ChainedProjection<State>, deliveries: Delivery[]): Promise<(Settlement | void)[]> {
  const decoded = deliveries.map(logEntryOf);
  const entries = needingTransaction(log, projection as ChainedProjection<unknown>, decoded.flatMap((d) => ('entry' in d ? [d.entry] : [])));
  if (entries.length) await applyInChainOrder(ds, log, projection, entries);
  return decoded.map((d) => ('dead' in d ? d.dead : undefined));
}
