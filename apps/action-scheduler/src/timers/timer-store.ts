import { write, type Queryable, type Writes } from '@kite/persistence';

/**
 * The durable timers: one row per (conversation, action), due at an instant. Arming twice moves the
 * timer (upsert), so re-arming on every message is one statement; firing claims due rows with
 * `FOR UPDATE SKIP LOCKED`, so two schedulers never fire the same timer, and the row goes only in
 * the transaction that ran its action. Plain SQL over any `query` function: no framework.
 */

export interface Timer {
  conversationId: string;
  actionId: string;
  tenant: string;
  dueAt: number;
}

/** The channel on which arming announces, as the transaction commits, the earliest due time it armed (epoch ms). */
export const TIMERS_ARMED_CHANNEL = 'kite_timers_armed';

/** Arms or moves timers, and tells every scheduler instance listening how soon the earliest is due. */
export async function armTimers(db: Writes, timers: readonly Timer[]): Promise<void> {
  if (timers.length === 0) return;
  await write(
    db,
    `WITH armed AS (
       INSERT INTO timers (conversation_id, action_id, tenant, due_at)
       SELECT c, a, t, to_timestamp(d / 1000.0) FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[]) AS x(c, a, t, d)
       ON CONFLICT (conversation_id, action_id) DO UPDATE SET due_at = EXCLUDED.due_at
       RETURNING due_at)
     SELECT pg_notify('${TIMERS_ARMED_CHANNEL}', (extract(epoch FROM min(due_at)) * 1000)::bigint::text) FROM armed`,
    [timers.map((t) => t.conversationId), timers.map((t) => t.actionId), timers.map((t) => t.tenant), timers.map((t) => t.dueAt)],
  );
}

export async function cancelTimers(db: Queryable, keys: readonly { conversationId: string; actionId: string }[]): Promise<void> {
  if (keys.length === 0) return;
  await db.query(`DELETE FROM timers t USING unnest($1::text[], $2::text[]) AS x(c, a) WHERE t.conversation_id = x.c AND t.action_id = x.a`, [keys.map((k) => k.conversationId), keys.map((k) => k.actionId)]);
}

/** Makes each conversation's timers exactly its `planned` ones (action id → due time): arms, moves and cancels. */
export async function syncTimers(db: Writes, plans: readonly { tenant: string; conversationId: string; planned: ReadonlyMap<string, number> }[]): Promise<void> {
  if (plans.length === 0) return;
  const kept = plans.flatMap(({ tenant, conversationId, planned }) => [...planned].map(([actionId, dueAt]) => ({ conversationId, actionId, tenant, dueAt })));
  await write(
    db,
    `DELETE FROM timers t WHERE t.conversation_id = ANY($1::text[])
        AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS k(c, a) WHERE k.c = t.conversation_id AND k.a = t.action_id)`,
    [plans.map((p) => p.conversationId), kept.map((t) => t.conversationId), kept.map((t) => t.actionId)],
  );
  await armTimers(db, kept);
}

/**
 * Claims up to `limit` timers due at `now`, oldest first, locked for this transaction; others skip
 * them. `now` is a parameter, not `clock_timestamp()`: with a volatile function the planner cannot
 * estimate how few rows are due and scans the whole table once it holds many timers.
 */
export async function claimDueTimers(db: Queryable, limit: number, now: number): Promise<Timer[]> {
  const rows = (await db.query(
    `SELECT conversation_id, action_id, tenant, (extract(epoch FROM due_at) * 1000)::float8 AS due FROM timers WHERE due_at <= to_timestamp($2 / 1000.0) ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit, now],
  )) as { conversation_id: string; action_id: string; tenant: string; due: number }[];
  return rows.map((r) => ({ conversationId: r.conversation_id, actionId: r.action_id, tenant: r.tenant, dueAt: Number(r.due) }));
}

export async function nextDueAt(db: Queryable): Promise<number | undefined> {
  const rows = (await db.query(`SELECT (extract(epoch FROM min(due_at)) * 1000)::float8 AS due FROM timers`)) as { due: number | null }[];
  const due = rows[0]?.due;
  return due === null || due === undefined ? undefined : Number(due);
}

export async function pendingTimers(db: Queryable): Promise<number> {
  const rows = (await db.query(`SELECT count(*)::int AS n FROM timers`)) as { n: number }[];
  return rows[0]?.n ?? 0;
}
