import { escapeLiteral, type Pool, type PoolClient, type QueryResult } from 'pg';
import type { DataSource } from 'typeorm';

/** Anything that runs a parameterised statement and returns its rows. */
export interface Queryable {
  query(sql: string, params?: readonly unknown[]): Promise<unknown>;
}

/** A statement's parameters written into its text as literals, for the simple query protocol. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a literal`);
    return String(value);
  }
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return escapeLiteral(value);
  if (value instanceof Date) return escapeLiteral(value.toISOString());
  if (Array.isArray(value)) {
    if (value.some(Array.isArray)) throw new Error('nested arrays cannot be written as literals');
    return `ARRAY[${value.map(literal).join(',')}]`;
  }
  return escapeLiteral(JSON.stringify(value));
}

export function inlineParameters(sql: string, params: readonly unknown[] = []): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index >= params.length) throw new Error(`statement names $${n} but has ${params.length} parameters`);
    return literal(params[index]);
  });
}

/**
 * A transaction that costs as few round trips as its work allows: BEGIN travels with the first
 * statement, and the writes queued with `later` travel with COMMIT, each group as one message of
 * the simple query protocol (parameters written in as literals). Where every socket write and
 * wake-up is dear (a small virtual machine), a projection's transaction is three round trips, not
 * eight.
 */
export class Transaction implements Queryable {
  private begun = false;
  private readonly queued: string[] = [];

  constructor(private readonly client: PoolClient) {}

  async query(sql: string, params: readonly unknown[] = []): Promise<unknown[]> {
    if (this.begun) return (await this.client.query(sql, params as unknown[])).rows;
    this.begun = true;
    const results = (await this.client.query(`BEGIN;\n${inlineParameters(sql, params)}`)) as unknown as QueryResult[];
    return results.at(-1)!.rows;
  }

  /** Queues a write whose result nobody reads: it runs just before COMMIT, in order. */
  later(sql: string, params: readonly unknown[] = []): void {
    this.queued.push(inlineParameters(sql, params));
  }

  async commit(): Promise<void> {
    if (!this.begun && this.queued.length === 0) return;
    await this.client.query([...(this.begun ? [] : ['BEGIN']), ...this.queued, 'COMMIT'].join(';\n'));
  }
}

/** Runs `work` in a `Transaction` on one of the DataSource's pooled connections; rolls back when it throws. */
export async function inTransaction<T>(ds: DataSource, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const pool = (ds.driver as unknown as { master: Pool }).master;
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const tx = new Transaction(client);
    const result = await work(tx);
    await tx.commit();
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch((failed: Error) => (broken = failed));
    throw e;
  } finally {
    client.release(broken);
  }
}

/** Where writes go: a `Transaction` queues them until COMMIT, anything else runs them at once. */
export type Writes = Queryable & { later?: (sql: string, params?: readonly unknown[]) => void };

/** A write: queued until COMMIT where the transaction can do that, at once where it cannot. */
export async function write(tx: Writes, sql: string, params: readonly unknown[]): Promise<void> {
  if (tx.later) tx.later(sql, params);
  else await tx.query(sql, params);
}
