import type { PoolClient, QueryConfig, QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import { poolOf } from './data-source.js';
import { statementName } from './statement-names.js';

/** A statement and its parameters. */
export interface Statement {
  sql: string;
  params?: readonly unknown[];
}

/** A statement as a named prepared statement: parsed once per connection, planned for its parameters at each run. */
const prepared = ({ sql, params = [] }: Statement): QueryConfig => ({ name: statementName(sql), text: sql, values: params as unknown[] });

/**
 * A read that can travel with other statements in one round trip: its statement, and what its rows
 * mean. `read` runs it on its own.
 */
export interface Read<T> {
  statement: Statement;
  decode(rows: unknown[]): T;
}

export async function read<T>(db: Queryable, what: Read<T>): Promise<T> {
  return what.decode((await db.query(what.statement.sql, what.statement.params)) as unknown[]);
}

/** Anything that runs a parameterised statement and returns its rows. */
export interface Queryable {
  query(sql: string, params?: readonly unknown[]): Promise<unknown>;
}

/**
 * A transaction that costs as few round trips and as little parsing as its work allows. Its
 * connection is in pipeline mode (see `openServiceDatabase`): BEGIN is sent with the first
 * statement, and the writes queued with `later` are sent with COMMIT, each group in one socket
 * write and one round trip. Every statement is a named prepared statement, parsed once per
 * connection, not once per execution (and planned at each, for its keys: `openServiceDatabase`).
 * Where every socket write and wake-up is dear (a small virtual machine) and statements are small,
 * parsing and round trips are much of the cost.
 */
export class Transaction implements Queryable {
  private begun = false;
  private readonly queued: Statement[] = [];
  private readonly checks = new CommitChecks();

  constructor(private readonly client: PoolClient) {}

  async query(sql: string, params: readonly unknown[] = []): Promise<unknown[]> {
    return (await this.queryAll([{ sql, params }])).at(-1)!;
  }

  /** Runs the statements one after another in one round trip; the rows of each, in order. */
  async queryAll(statements: readonly Statement[]): Promise<unknown[][]> {
    const sent = statements.map(prepared);
    const results = await this.send(this.begun ? sent : ['BEGIN', ...sent]);
    this.begun = true;
    return results.slice(results.length - statements.length).map((r) => r.rows);
  }

  /** Queues a write whose result nobody reads: it runs just before COMMIT, in order. */
  later(sql: string, params: readonly unknown[] = []): void {
    this.queued.push({ sql, params });
  }

  /** Runs `check` on the items in this transaction just before its queued writes and COMMIT. */
  beforeCommit<T>(check: CommitCheck<T>, items: readonly T[]): void {
    this.checks.add(check, items);
  }

  async commit(): Promise<void> {
    if (this.checks.size) await this.checks.run(this);
    if (!this.begun && this.queued.length === 0) return;
    await this.send([...(this.begun ? [] : ['BEGIN']), ...this.queued.map(prepared), 'COMMIT']);
  }

  private send(statements: (string | QueryConfig)[]): Promise<QueryResult[]> {
    return sendTogether(this.client, statements);
  }
}

/**
 * Sends the statements in one write and waits for all of them. In a transaction, when one fails the
 * server aborts it and the rest fail or (COMMIT) roll back: the first failure is thrown.
 */
async function sendTogether(client: PoolClient, statements: (string | QueryConfig)[]): Promise<QueryResult[]> {
  const stream = (client as unknown as { connection: { stream: NodeJS.WritableStream & { cork(): void; uncork(): void } } }).connection.stream;
  stream.cork();
  let pending: Promise<QueryResult>[];
  try {
    pending = statements.map((s) => client.query(s as QueryConfig));
  } finally {
    stream.uncork();
  }
  const settled = await Promise.allSettled(pending);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<QueryResult>).value);
}

/** Runs `work` in a `Transaction` on one of the DataSource's pooled connections; rolls back when it throws. */
export function inTransaction<T>(ds: DataSource, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return withClient(ds, async (client) => {
    const tx = new Transaction(client);
    const result = await work(tx);
    await tx.commit();
    return result;
  }, 'ROLLBACK');
}

/**
 * Runs `work` on one of the DataSource's pooled connections; when it throws, sends `onFailure`
 * first (if the connection still stands) and drops a connection that broke.
 */
async function withClient<T>(ds: DataSource, work: (client: PoolClient) => Promise<T>, onFailure?: string): Promise<T> {
  const client = await poolOf(ds).connect();
  let broken: Error | undefined;
  // A checked-out client has no listener of its own (the pool listens to idle ones only): its
  // connection lost (a server restart, a terminated backend) would be an unhandled 'error' event
  // and end the process. Its queries fail instead, and the client is dropped from the pool.
  const onError = (e: Error) => (broken = e);
  client.on('error', onError);
  try {
    return await work(client);
  } catch (e) {
    if (!broken && onFailure) await client.query(onFailure).catch((failed: Error) => (broken = failed));
    throw e;
  } finally {
    // A broken client keeps the listener: it is being closed, and may say so once more.
    if (!broken) client.removeListener('error', onError);
    client.release(broken);
  }
}

/** Reads that need no transaction, sent together in one round trip: the rows of each, in order. */
export async function readTogether(ds: DataSource, statements: readonly Statement[]): Promise<unknown[][]> {
  if (statements.length === 0) return [];
  return (await withClient(ds, (client) => sendTogether(client, statements.map(prepared)))).map((r) => r.rows);
}

/** One transaction of statements known in advance (no reads between them): BEGIN, the statements and COMMIT in one round trip. */
export async function commitTogether(ds: DataSource, statements: readonly Statement[]): Promise<void> {
  // When a statement fails, the server aborts the transaction and the COMMIT ends it: nothing stays open.
  await withClient(ds, (client) => sendTogether(client, ['BEGIN', ...statements.map(prepared), 'COMMIT']));
}

/**
 * Writes kept to be committed later, in order, with whatever else goes in that transaction (a
 * processor that holds its state commits its batches' writes together). It cannot read: what a
 * batch needs is read before it is decided.
 */
export class QueuedWrites implements Queryable {
  readonly statements: Statement[] = [];
  readonly checks = new CommitChecks();

  later(sql: string, params: readonly unknown[] = []): void {
    this.statements.push({ sql, params });
  }

  beforeCommit<T>(check: CommitCheck<T>, items: readonly T[]): void {
    this.checks.add(check, items);
  }

  query(): Promise<never> {
    return Promise.reject(new Error('queued writes cannot read: a processor that holds its state reads in its load'));
  }
}

/**
 * What must be read or decided in the transaction that commits the writes, under its locks, just
 * before them: decisions made earlier from reads without locks, checked where they land.
 */
export type CommitCheck<T> = (tx: Transaction, items: readonly T[]) => Promise<void>;

/**
 * The checks left for one commit, each with the items of every batch that left it: a commit that
 * takes several batches' writes runs each check once, on all their items (its locks in one statement).
 */
export class CommitChecks {
  private readonly byCheck = new Map<CommitCheck<never>, unknown[]>();

  add<T>(check: CommitCheck<T>, items: readonly T[]): void {
    this.append(check, items);
  }

  /** Takes the other's checks and items too. */
  merge(other: CommitChecks): void {
    for (const [check, items] of other.byCheck) this.append(check, items);
  }

  private append(check: CommitCheck<never>, items: readonly unknown[]): void {
    const pending = this.byCheck.get(check);
    if (pending) pending.push(...items);
    else this.byCheck.set(check, [...items]);
  }

  get size(): number {
    return this.byCheck.size;
  }

  /** Runs each check once, on its items, and forgets them. */
  async run(tx: Transaction): Promise<void> {
    const checks = [...this.byCheck];
    this.byCheck.clear();
    // Each check was added with items of its own type (`add`).
    for (const [check, items] of checks) await check(tx, items as never[]);
  }
}

/** Where writes go: a `Transaction` queues them until COMMIT, anything else runs them at once. */
export type Writes = Queryable & { later?: (sql: string, params?: readonly unknown[]) => void; beforeCommit?: <T>(check: CommitCheck<T>, items: readonly T[]) => void };

/** A write: queued until COMMIT where the transaction can do that, at once where it cannot. */
export async function write(tx: Writes, sql: string, params: readonly unknown[]): Promise<void> {
  if (tx.later) tx.later(sql, params);
  else await tx.query(sql, params);
}
