import { initialActivity, type Activity } from '@kite/domain';
import { write, type EntityManager, type Read, type Writes } from '@kite/persistence';

export interface StoredActivity {
  tenant: string;
  number: string | undefined;
  activity: Activity;
}

/** Loads (and locks for this transaction) a conversation's activity; `skipLocked` gives up instead of waiting. */
export async function loadActivity(tx: EntityManager, conversationId: string, skipLocked = false): Promise<StoredActivity | undefined | 'locked'> {
  if (skipLocked) {
    const rows = (await tx.query(`SELECT tenant, number, activity FROM activities WHERE conversation_id = $1 FOR UPDATE SKIP LOCKED`, [conversationId])) as { tenant: string; number: string | null; activity: Activity }[];
    if (rows[0]) return { tenant: rows[0].tenant, number: rows[0].number ?? undefined, activity: rows[0].activity };
    const exists = (await tx.query(`SELECT 1 FROM activities WHERE conversation_id = $1`, [conversationId])) as unknown[];
    return exists.length ? 'locked' : undefined;
  }
  const rows = (await tx.query(`SELECT tenant, number, activity FROM activities WHERE conversation_id = $1 FOR UPDATE`, [conversationId])) as { tenant: string; number: string | null; activity: Activity }[];
  return rows[0] && { tenant: rows[0].tenant, number: rows[0].number ?? undefined, activity: rows[0].activity };
}

/** The activities of the conversations that have one, locked (in one order) for the transaction. */
export function activitiesOf(conversationIds: readonly string[]): Read<Map<string, StoredActivity>> {
  return {
    statement: { sql: `SELECT conversation_id, tenant, number, activity FROM activities WHERE conversation_id = ANY($1::text[]) ORDER BY conversation_id COLLATE "C" FOR UPDATE`, params: [conversationIds] },
    decode: (rows) =>
      new Map((rows as { conversation_id: string; tenant: string; number: string | null; activity: Activity }[]).map((r) => [r.conversation_id, { tenant: r.tenant, number: r.number ?? undefined, activity: r.activity }])),
  };
}

export async function saveActivity(tx: EntityManager, conversationId: string, stored: StoredActivity): Promise<void> {
  await saveActivities(tx, [{ conversationId, stored }]);
}

export async function saveActivities(tx: Writes, activities: readonly { conversationId: string; stored: StoredActivity }[]): Promise<void> {
  if (activities.length === 0) return;
  await write(
    tx,
    `INSERT INTO activities (conversation_id, tenant, number, activity)
     SELECT c, t, n, a FROM jsonb_to_recordset($1::jsonb) AS x(c text, t text, n text, a jsonb)
     ON CONFLICT (conversation_id) DO UPDATE SET number = EXCLUDED.number, activity = EXCLUDED.activity`,
    [JSON.stringify(activities.map(({ conversationId, stored }) => ({ c: conversationId, t: stored.tenant, n: stored.number ?? null, a: stored.activity })))],
  );
}

export const emptyActivity = (tenant: string): StoredActivity => ({ tenant, number: undefined, activity: initialActivity() });
