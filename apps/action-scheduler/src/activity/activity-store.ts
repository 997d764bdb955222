import { initialActivity, type Activity } from '@kite/domain';
import { write, type EntityManager, type Queryable, type Read, type Writes } from '@kite/persistence';

/** A conversation's activity, and where the projection stands in the conversation's log (the sequence of its last entry applied; 0 before the first). */
export interface StoredActivity {
  tenant: string;
  number: string | undefined;
  activity: Activity;
  position: number;
}

/** The projection that keeps the activities: its lock on a conversation (`lockAggregates`, `tryLockPosition`) guards the conversation's activity. */
export const ACTIVITY_PROJECTION = 'scheduler-activity';

interface ActivityRow {
  conversation_id: string;
  tenant: string;
  number: string | null;
  activity: Activity;
  position: string;
}

const COLUMNS = 'conversation_id, tenant, number, activity, position';
const storedOf = (row: ActivityRow): StoredActivity => ({ tenant: row.tenant, number: row.number ?? undefined, activity: row.activity, position: Number(row.position) });

/** A conversation's activity; the caller holds the projection's lock on the conversation. */
export async function loadActivity(tx: Queryable, conversationId: string): Promise<StoredActivity | undefined> {
  const rows = (await tx.query(`SELECT ${COLUMNS} FROM activities WHERE conversation_id = $1`, [conversationId])) as ActivityRow[];
  return rows[0] && storedOf(rows[0]);
}

/**
 * The activities of the conversations that have one. They are read under the projection's locks on
 * the conversations, which the timer wheel takes too before it fires (`TimerWheel`): no row lock.
 */
export function activitiesOf(conversationIds: readonly string[]): Read<Map<string, StoredActivity>> {
  return {
    statement: { sql: `SELECT ${COLUMNS} FROM activities WHERE conversation_id = ANY($1::text[])`, params: [conversationIds] },
    decode: (rows) => new Map((rows as ActivityRow[]).map((r) => [r.conversation_id, storedOf(r)])),
  };
}

export async function saveActivity(tx: EntityManager, conversationId: string, stored: StoredActivity): Promise<void> {
  await saveActivities(tx, [{ conversationId, stored }]);
}

export async function saveActivities(tx: Writes, activities: readonly { conversationId: string; stored: StoredActivity }[]): Promise<void> {
  if (activities.length === 0) return;
  await write(
    tx,
    `INSERT INTO activities (conversation_id, tenant, number, activity, position)
     SELECT c, t, n, a, p FROM jsonb_to_recordset($1::jsonb) AS x(c text, t text, n text, a jsonb, p bigint)
     ON CONFLICT (conversation_id) DO UPDATE SET number = EXCLUDED.number, activity = EXCLUDED.activity, position = EXCLUDED.position`,
    [JSON.stringify(activities.map(({ conversationId, stored }) => ({ c: conversationId, t: stored.tenant, n: stored.number ?? null, a: stored.activity, p: stored.position })))],
  );
}

export const emptyActivity = (tenant: string): StoredActivity => ({ tenant, number: undefined, activity: initialActivity(), position: 0 });
