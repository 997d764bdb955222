import type { DataSource } from '@kite/persistence';

/**
 * Waits (bounded) until this service's read model shows sequence `seq`, so that a read after a
 * write sees the write. `sql` selects one `seq` column.
 */
export async function waitUntil(ds: DataSource, sql: string, params: unknown[], seq: number, timeoutMs = 3_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = (await ds.query(sql, params)) as { seq: string | null }[];
    if (Number(rows[0]?.seq ?? 0) >= seq) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
}
