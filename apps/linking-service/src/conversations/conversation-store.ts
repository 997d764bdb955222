import type { AnyEnvelope, CallAppended, ChatMessageSent, ContactMessageAppended, ConversationCreated, ConversationDetached, ConversationLinked, Member, MemberJoined, MemberRemoved, MembersAdded } from '@kite/contracts';
import type { ConversationForOutbound, LinkingConversation } from '@kite/domain';
import type { DataSource, EntityManager } from '@kite/persistence';

type Db = DataSource | EntityManager;

interface ConversationRow {
  conversation_id: string;
  tenant: string;
  contact: string;
  service_id: string;
  number: string;
  origin: string;
  links: string[];
  members: string[];
  detached: string[];
  last_channel: 'sms' | 'whatsapp' | null;
  created_at: Date;
}

export async function findConversation(db: Db, conversationId: string): Promise<ConversationRow | undefined> {
  const rows = (await db.query(`SELECT * FROM conversations WHERE conversation_id = $1`, [conversationId])) as ConversationRow[];
  return rows[0];
}

/** Linking's view of each conversation asked for that exists. */
export async function loadConversations(tx: EntityManager, conversationIds: readonly string[]): Promise<Map<string, LinkingConversation>> {
  const rows = (await tx.query(`SELECT conversation_id, links FROM conversations WHERE conversation_id = ANY($1::text[])`, [conversationIds])) as { conversation_id: string; links: string[] }[];
  return new Map(rows.map((r) => [r.conversation_id, { status: 'open', conversationId: r.conversation_id, links: r.links }]));
}

/** Takes, in one order, the transaction locks that make two first messages of one contact meet. */
export async function lockConversationKeys(tx: EntityManager, conversationIds: readonly string[]): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext(c) AS h FROM unnest($1::text[]) AS c ORDER BY 1) AS keys`, [conversationIds]);
}

export const forOutbound = (row: ConversationRow): ConversationForOutbound => ({
  conversationId: row.conversation_id,
  contact: row.contact,
  serviceId: row.service_id,
  links: row.links,
  detached: row.detached,
  lastChannel: row.last_channel ?? undefined,
});

/** The tenant of each conversation asked for that exists. */
export async function conversationTenants(db: Db, conversationIds: readonly string[]): Promise<Map<string, string>> {
  const rows = (await db.query(`SELECT conversation_id, tenant FROM conversations WHERE conversation_id = ANY($1::text[])`, [conversationIds])) as { conversation_id: string; tenant: string }[];
  return new Map(rows.map((r) => [r.conversation_id, r.tenant]));
}

/** Of the provider message ids given per tenant, those already on a conversation's timeline (`tenant messageId`). */
export async function linkedMessages(tx: EntityManager, messages: readonly { tenant: string; messageId: string }[]): Promise<Set<string>> {
  const rows = (await tx.query(`SELECT t.tenant, t.item_id FROM timeline t JOIN unnest($1::text[], $2::text[]) AS x(tenant, item_id) USING (tenant, item_id)`, [
    messages.map((m) => m.tenant),
    messages.map((m) => `message:${m.messageId}`),
  ])) as { tenant: string; item_id: string }[];
  return new Set(rows.map((r) => `${r.tenant} ${r.item_id.slice('message:'.length)}`));
}

const key = (m: Member) => `${m.kind}:${m.id}`;

async function addTimelineItem(tx: EntityManager, tenant: string, itemId: string, conversationId: string, kind: string, channel: string, at: string, body: unknown): Promise<void> {
  await tx.query(`INSERT INTO timeline (tenant, item_id, conversation_id, kind, channel, at, body) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`, [tenant, itemId, conversationId, kind, channel, at, JSON.stringify(body)]);
}

async function addMembers(tx: EntityManager, conversationId: string, members: readonly Member[]): Promise<void> {
  await tx.query(`UPDATE conversations SET members = members || ARRAY(SELECT m FROM unnest($2::text[]) m WHERE NOT m = ANY(members)) WHERE conversation_id = $1`, [conversationId, members.map(key)]);
}

/**
 * Writes one conversation event into the read model. Idempotent: the inbound handlers write their
 * own decisions at once and the log projection writes them again (or alone, on a rebuild).
 */
export async function projectConversationEvent(tx: EntityManager, event: AnyEnvelope): Promise<void> {
  const t = event.tenant;
  switch (event.type) {
    case 'ConversationCreated': {
      const { data } = event as ConversationCreated;
      const links = data.channel === 'call' ? [] : [`${data.channel}:${data.number}`];
      await tx.query(
        `INSERT INTO conversations (conversation_id, tenant, contact, service_id, number, origin, links, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [data.conversationId, t, data.contact, data.serviceId, data.number, data.origin, links, event.occurredAt],
      );
      return;
    }
    case 'ConversationLinked': {
      const { data } = event as ConversationLinked;
      await tx.query(`UPDATE conversations SET links = array_append(links, $2) WHERE conversation_id = $1 AND NOT ($2 = ANY(links))`, [data.conversationId, `${data.channel}:${data.number}`]);
      return;
    }
    case 'ConversationDetached': {
      const { data } = event as ConversationDetached;
      await tx.query(`UPDATE conversations SET detached = array_append(detached, $2) WHERE conversation_id = $1 AND NOT ($2 = ANY(detached))`, [data.conversationId, data.number]);
      return;
    }
    case 'ContactMessageAppended': {
      const { data } = event as ContactMessageAppended;
      // One round trip: the hottest statement of the read model.
      await tx.query(
        `WITH channel AS (UPDATE conversations SET last_channel = $5 WHERE conversation_id = $3 RETURNING 1)
         INSERT INTO timeline (tenant, item_id, conversation_id, kind, channel, at, body) VALUES ($1, $2, $3, 'contact_message', $5, $4, $6) ON CONFLICT DO NOTHING`,
        [t, `message:${data.messageId}`, data.conversationId, data.receivedAt, data.channel, JSON.stringify({ messageId: data.messageId, from: data.contact, to: data.number, text: data.text })],
      );
      return;
    }
    case 'CallAppended': {
      const { data } = event as CallAppended;
      await addTimelineItem(tx, t, `call:${data.callId}`, data.conversationId, 'call', 'call', data.startedAt, { callId: data.callId, direction: data.direction, agentIds: data.agentIds, startedAt: data.startedAt, endedAt: data.endedAt });
      return;
    }
    case 'ChatMessageSent': {
      const { data } = event as ChatMessageSent;
      await addTimelineItem(tx, t, `message:${data.messageId}`, data.conversationId, `${data.sender.kind}_message`, 'chat', data.sentAt, { messageId: data.messageId, sender: data.sender, text: data.text });
      return;
    }
    case 'MembersAdded':
      await addMembers(tx, (event as MembersAdded).data.conversationId, (event as MembersAdded).data.members);
      return;
    case 'MemberJoined':
      await addMembers(tx, (event as MemberJoined).data.conversationId, [(event as MemberJoined).data.member]);
      return;
    case 'MemberRemoved': {
      const { data } = event as MemberRemoved;
      await tx.query(`UPDATE conversations SET members = array_remove(members, $2) WHERE conversation_id = $1`, [data.conversationId, key(data.member)]);
      return;
    }
    case 'OutboundMessageRequested':
    case 'OutboundMessageRejected': {
      const { data } = event as { data: { conversationId: string; messageId: string } };
      await tx.query(`INSERT INTO outbound_messages (tenant, message_id, conversation_id, event_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [t, data.messageId, data.conversationId, event.id]);
      return;
    }
    default:
      return;
  }
}
