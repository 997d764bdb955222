import { SetMetadata } from '@nestjs/common';
import type { Delivery } from '@kite/messaging';
import type { QueuedWrites, Statement, Transaction } from '@kite/persistence';
import type { HeldState } from './held-state.js';

/** A message of the stream, decoded, with where it stands; `live` is false for one a rebuild only replays. */
export interface Received<Item> {
  item: Item;
  subject: string;
  seq: number;
  partition: number;
  live: boolean;
  /** Read while the service rebuilds its read models, live or not: what was written about it before is gone. */
  rebuilding?: boolean;
}

/** What a processor reads before it decides: statements sent together in the first round trip, and what their rows mean. */
export interface Load<State> {
  statements: Statement[];
  decode(rows: unknown[][]): State;
}

/**
 * One consumer of one stream: the processor shell (`ProcessorRunner`) reads the stream in order,
 * decodes each message, and hands what is waiting in the partitions this instance holds to
 * `handle` in one transaction, in which it also saves where it stands. So each consumer is only
 * its decoding, its state and its decisions.
 */
export interface Processor<Item, State = undefined> {
  /** Names its checkpoints, its leases, its metrics and its dead letters (`<service>-<name>`). */
  readonly name: string;
  readonly stream: string;
  readonly filterSubject: string;
  /** The event stores are replayed on a rebuild; inputs are not (their checkpoints are kept). */
  readonly replayed: boolean;
  /**
   * On a rebuild, what it decides on waits until every read model of the service has caught up
   * (its decisions read them); until then it only replays what it had decided on before.
   */
  readonly liveAfterRebuild?: boolean;
  /** Messages per transaction, at most (500). */
  readonly batch?: number;
  /**
   * How many milliseconds a batch that is not full waits for more messages before its transaction
   * starts, while the next is expected within them (`BatchQueue`): fewer, larger transactions under
   * light load, at the price of that wait. At 200 messages a second nothing else batches: each
   * message would cost a transaction and a wake-up of every process downstream (`bench/README.md`).
   */
  readonly linger?: number;
  /**
   * Off the path to an answer, instead of a linger: its reader waits for a message, lets more gather
   * on the server this many milliseconds and takes them all in one pull (`BurstReader`), so NATS and
   * the service wake once per burst, not once per message.
   */
  readonly burst?: number;
  /** Partitions, each handled by one instance at a time, in order (KITE_PARTITIONS; 1 for a processor that must see everything in one order). */
  readonly partitions?: number;
  /**
   * The ordering key of a decoded item: items of one key are handled in stream order. The subject
   * unless said otherwise (a message that cannot be decoded is keyed by its subject too).
   */
  keyOf?(item: Item): string;
  /** The message as the processor's item; throws with the reason when it is not one (it goes to a dead letter). */
  decode(delivery: Delivery): Item;
  /**
   * Whether the item can change the processor's state or make it decide (all can, unless said). A
   * batch of items that cannot is passed over without a transaction.
   */
  concerns?(item: Item): boolean;
  /**
   * What the processor keeps about these items, read in the round trip that moves (and locks) the
   * checkpoints. It may look things up first (a cached configuration), before the transaction starts.
   */
  load?(items: readonly Received<Item>[]): Load<State> | Promise<Load<State>>;
  /** Decides, publishes and writes (queued until COMMIT where it can) for the items, in order. Throws to try again. */
  handle(tx: Transaction, items: readonly Received<Item>[], state: State): Promise<void>;
  /** Called after the transaction committed. */
  committed?(items: readonly Received<Item>[]): void;
}

/**
 * A processor on the path to an answer that holds what it knows of its partitions in memory
 * (write-behind): it reads only what it does not hold yet, so it decides and publishes without a
 * round trip, and the shell commits the writes of every batch handled meanwhile with their
 * checkpoints every `commitEvery` milliseconds, in one round trip. A crash loses only those
 * writes: the messages are read again from the checkpoints and decided again, and their effects,
 * published under the same ids, are not doubled.
 */
export interface HoldingProcessor<Item, State> extends Processor<Item, State> {
  readonly commitEvery: number;
  /** What the processor holds, by partition; the shell drops a partition's when it may be stale. */
  readonly held: HeldState<unknown>;
  /** Keys held of a partition, about (20,000): beyond, once all of it is committed, it is read again. */
  readonly heldPerPartition?: number;
  /**
   * Decides and publishes, and writes only through `later` (`write`): the writes are committed
   * later, after the checks it leaves (`beforeCommit`), in that transaction.
   */
  handle(writes: QueuedWrites | Transaction, items: readonly Received<Item>[], state: State): Promise<void>;
}

export const isHolding = <Item, State>(p: Processor<Item, State>): p is HoldingProcessor<Item, State> => 'commitEvery' in p;

export const PROCESSOR_METADATA = 'kite:processor';

/** Marks a provider as a processor: the service runs it once the application has bootstrapped. */
export const EventProcessor = (): ClassDecorator => SetMetadata(PROCESSOR_METADATA, true);

/** A message that cannot be handled now (a configuration not applied here yet, say): tried again, then dead-lettered. */
export class NotYet extends Error {}
