import type { AnyEnvelope, ContactMessageAppended, ConversationCreated, ConversationLinked } from '@kite/contracts';
import type { LinkingConversation } from '@kite/domain';
import type { DataSource, EntityManager } from '@kite/persistence';

export async function loadConversation(tx: EntityManager, conversationId: string): Promise<LinkingConversation> {
  const rows = (await tx.query(`SELECT links FROM conversations WHERE conversation_id = $1`, [conversationId])) as { links: string[] }[];
  const row = rows[0];
  return row ? { status: 'open', conversationId, links: row.links } : { status: 'none' };
}

export async function conversationTenant(db: DataSource | EntityManager, conversationId: string): Promise<string | undefined> {
  const rows = (await db.query(`SELECT tenant FROM conversations WHERE conversation_id = $1`, [conversationId])) as { tenant: string }[];
  return rows[0]?.tenant;
}

export async function isMessageLinked(tx: EntityManager, tenant: string, messageId: string): Promise<boolean> {
  const rows = (await tx.query(`SELECT 1 FROM timeline WHERE tenant = $1 AND item_id = $2`, [tenant, `message:${messageId}`])) as unknown[];
  return rows.length > 0;
}

/**
 * Writes one conversation event into the read model. Idempotent: the inbound handler writes its
 * own decisions at once and the log projection writes them again (or alone, on a rebuild).
 */
export async function projectConversationEvent(tx: EntityManager, event: AnyEnvelope): Promise<void> {
  switch (event.type) {
    case 'ConversationCreated': {
      const { data } = event as ConversationCreated;
      const links = data.channel === 'call' ? [] : [`${data.channel}:${data.number}`];
      await tx.query(
        `INSERT INTO conversations (conversation_id, tenant, contact, service_id, number, origin, links, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [data.conversationId, event.tenant, data.contact, data.serviceId, data.number, data.origin, links, event.occurredAt],
      );
      return;
    }
    case 'ConversationLinked': {
      const { data } = event as ConversationLinked;
      await tx.query(`UPDATE conversations SET links = array_append(links, $2) WHERE conversation_id = $1 AND NOT ($2 = ANY(links))`, [data.conversationId, `${data.channel}:${data.number}`]);
      return;
    }
    case 'ContactMessageAppended': {
      const { data } = event as ContactMessageAppended;
      await tx.query(
        `INSERT INTO timeline (tenant, item_id, conversation_id, kind, channel, at, body) VALUES ($1, $2, $3, 'contact_message', $4, $5, $6) ON CONFLICT DO NOTHING`,
        [event.tenant, `message:${data.messageId}`, data.conversationId, data.channel, data.receivedAt, JSON.stringify({ messageId: data.messageId, from: data.contact, to: data.number, text: data.text })],
      );
      return;
    }
    default:
      return;
  }
}
