import { initialActivity, type Activity } from '@kite/domain';
import { write, type EntityManager, type Queryable, type Read, type Writes } from '@kite/persistence';

export interface StoredActivity {
  tenant: string;
  number: string | undefined;
  activity: Activity;
}

/** The projection that keeps the activities: its lock on a conversation (`lockPositions`, `tryLockPosition`) guards the conversation's activity. */
export const ACTIVITY_PROJECTION = 'scheduler-activity';

/** A conversation's activity; the caller holds the projection's lock on the conversation. */
export async function loadActivity(tx: Queryable, conversationId: string): Promise<StoredActivity | undefined> {
  const rows = (await tx.query(`SELECT tenant, number, activity FROM activities WHERE conversation_id = $1`, [conversationId])) as { tenant: string; number: string | null; activity: Activity }[];
  return rows[0] && { tenant: rows[0].tenant, number: rows[0].number ?? undefined, activity: rows[0].activity };
}

/**
 * The activities of the conversations that have one. They are read under the projection's locks on
 * the conversations, which the timer wheel takes too before it fires (`TimerWheel`): no row lock.
 */
export function activitiesOf(conversationIds: readonly string[]): Read<Map<string, StoredActivity>> {
  return {
    statement: { sql: `SELECT conversation_id, tenant, number, activity FROM activities WHERE conversation_id = ANY($1::text[])`, params: [conversationIds] },
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
