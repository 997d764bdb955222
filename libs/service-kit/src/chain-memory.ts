import type { Appended, LogEntry } from '@kite/messaging';

const MAX_POSITIONS = 100_000;
const MAX_PASSED = 10_000;

/** Sets `key`, now the newest, and forgets the oldest key beyond `limit`. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value!);
}

/**
 * What this process knows of one projection's chains, so that a delivery that changes nothing
 * there costs no transaction:
 * - the position it last saw committed per aggregate: positions only move forward, under the
 *   aggregate's lock, so an entry at or before it is applied, whichever instance applied it;
 * - the entries it passed over because none of their events concern the projection, so the next
 *   entry that does chains through them without asking the log (after a restart, or on another
 *   instance, the log is asked, as for any gap).
 */
export class ChainMemory {
  private readonly committed = new Map<string, number>();
  private readonly passed = new Map<number, LogEntry>();

  isApplied(entry: LogEntry): boolean {
    return entry.seq <= (this.committed.get(entry.subject) ?? 0);
  }

  /** Notes a position read or saved in a transaction that has committed. */
  committedAt(subject: string, seq: number): void {
    if (seq > (this.committed.get(subject) ?? 0)) remember(this.committed, subject, seq, MAX_POSITIONS);
  }

  pass(entry: LogEntry): void {
    remember(this.passed, entry.seq, entry, MAX_PASSED);
  }

  passedAt(seq: number): LogEntry | undefined {
    return this.passed.get(seq);
  }
}

/**
 * Of the entries a projection appended to one subject after applying up to `position` (in order),
 * those that continue its chain: each follows the one before it directly. An entry stored before
 * (a duplicate) or appended after someone else's (a retry at a newer tail) ends them: what lies
 * between is applied when it is delivered.
 */
export function ownAppendsInChain(position: number, appended: readonly Appended[]): Appended[] {
  const chained: Appended[] = [];
  for (const a of appended) {
    if (a.duplicate || a.prev !== position) break;
    chained.push(a);
    position = a.seq;
  }
  return chained;
}

/** Where a projection stands after applying up to `position` and folding its own `appended` entries. */
export const positionAfterOwnAppends = (position: number, appended: readonly Appended[]): number => ownAppendsInChain(position, appended).at(-1)?.seq ?? position;
