import { initialRoutingConversation, type RoutingConversation } from '@kite/domain';
import type { EntityManager } from '@kite/persistence';

export async function loadRoutingState(tx: EntityManager, conversationId: string): Promise<RoutingConversation> {
  const rows = (await tx.query(`SELECT members, bots_ever_present, inactive_bots FROM routing_conversations WHERE conversation_id = $1`, [conversationId])) as {
    members: string[];
    bots_ever_present: string[];
    inactive_bots: string[];
  }[];
  const row = rows[0];
  return row ? { members: row.members, botsEverPresent: row.bots_ever_present, inactiveBots: row.inactive_bots } : initialRoutingConversation();
}

export async function saveRoutingState(tx: EntityManager, tenant: string, conversationId: string, state: RoutingConversation): Promise<void> {
  await tx.query(
    `INSERT INTO routing_conversations (conversation_id, tenant, members, bots_ever_present, inactive_bots) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (conversation_id) DO UPDATE SET members = EXCLUDED.members, bots_ever_present = EXCLUDED.bots_ever_present, inactive_bots = EXCLUDED.inactive_bots`,
    [conversationId, tenant, state.members, state.botsEverPresent, state.inactiveBots],
  );
}
