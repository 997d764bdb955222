import { initialRoutingConversation, type RoutingConversation } from '@kite/domain';
import { write, type Read, type Writes } from '@kite/persistence';

interface RoutingRow {
  conversation_id: string;
  members: string[];
  bots_ever_present: string[];
  inactive_bots: string[];
}

/** The routing state of each conversation asked for; a conversation routing never saw starts empty. */
export function routingStates(conversationIds: readonly string[]): Read<Map<string, RoutingConversation>> {
  return {
    statement: { sql: `SELECT conversation_id, members, bots_ever_present, inactive_bots FROM routing_conversations WHERE conversation_id = ANY($1::text[])`, params: [conversationIds] },
    decode: (rows) => {
      const found = new Map((rows as RoutingRow[]).map((r) => [r.conversation_id, { members: r.members, botsEverPresent: r.bots_ever_present, inactiveBots: r.inactive_bots }]));
      return new Map(conversationIds.map((id) => [id, found.get(id) ?? initialRoutingConversation()]));
    },
  };
}

export async function saveRoutingStates(tx: Writes, states: readonly { tenant: string; conversationId: string; state: RoutingConversation }[]): Promise<void> {
  if (states.length === 0) return;
  const rows = states.map(({ tenant, conversationId, state }) => ({ c: conversationId, t: tenant, m: state.members, b: state.botsEverPresent, i: state.inactiveBots }));
  await write(
    tx,
    `INSERT INTO routing_conversations (conversation_id, tenant, members, bots_ever_present, inactive_bots)
     SELECT c, t, m, b, i FROM jsonb_to_recordset($1::jsonb) AS x(c text, t text, m text[], b text[], i text[])
     ON CONFLICT (conversation_id) DO UPDATE SET members = EXCLUDED.members, bots_ever_present = EXCLUDED.bots_ever_present, inactive_bots = EXCLUDED.inactive_bots`,
    [JSON.stringify(rows)],
  );
}
