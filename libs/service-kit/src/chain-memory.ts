import type { Appended, LogEntry } from '@kite/messaging';
import { LRUCache } from 'lru-cache';

const MAX_POSITIONS = 100_000;
/** Enough that in five minutes at 2,000 messages a second routing read none back (bench/README); a link holds about 200 bytes. */
const MAX_PASSED = 200_000;

/**
 * What this process knows of one projection's chains, so that a delivery that changes nothing
 * there costs no transaction:
 * - the position it last saw committed per aggregate: positions only move forward, under the
 *   aggregate's lock, so an entry at or before it is applied, whichever instance applied it;
 * - the entries it passed over because none of their events concern the projection, kept as links
 *   of their chain only (sequence and previous, no events: the projection would do nothing with
 *   them), so the next entry that does chains through them without asking the log (after a
 *   restart, or on another instance, the log is asked, as for any gap).
 */
export class ChainMemory {
  private readonly committed = new LRUCache<string, number>({ max: MAX_POSITIONS });
  private readonly passed = new LRUCache<number, LogEntry>({ max: MAX_PASSED });

  isApplied(entry: LogEntry): boolean {
    return entry.seq <= (this.committed.get(entry.subject) ?? 0);
  }

  /** Notes a position read or saved in a transaction that has committed. */
  committedAt(subject: string, seq: number): void {
    if (seq > (this.committed.get(subject) ?? 0)) this.committed.set(subject, seq);
  }

  pass(entry: LogEntry): void {
    this.passed.set(entry.seq, { subject: entry.subject, seq: entry.seq, prev: entry.prev, events: [] });
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
