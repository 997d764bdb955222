import { initialActivity, type Activity } from '@kite/domain';
import type { EntityManager } from '@kite/persistence';

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

export async function saveActivity(tx: EntityManager, conversationId: string, stored: StoredActivity): Promise<void> {
  await tx.query(
    `INSERT INTO activities (conversation_id, tenant, number, activity) VALUES ($1, $2, $3, $4)
     ON CONFLICT (conversation_id) DO UPDATE SET number = EXCLUDED.number, activity = EXCLUDED.activity`,
    [conversationId, stored.tenant, stored.number ?? null, JSON.stringify(stored.activity)],
  );
}

export const emptyActivity = (tenant: string): StoredActivity => ({ tenant, number: undefined, activity: initialActivity() });
