import { conversationIdFor, normaliseE164 } from '@kite/domain';
import type { Delivery } from '@kite/messaging';

const utf8 = new TextDecoder();

/** The tenant and a phone number field of the event's data, in E.164 when it reads as one: a contact's events keep their order. */
export function contactKeyOf(delivery: Delivery, field: 'from' | 'contact'): string {
  try {
    const { tenant, data } = JSON.parse(utf8.decode(delivery.data)) as { tenant?: unknown; data?: Record<string, unknown> };
    const contact = typeof data?.[field] === 'string' ? (data[field] as string) : '';
    return `${String(tenant)} ${normaliseE164(contact) ?? contact}`;
  } catch {
    return delivery.subject;
  }
}

/** The conversation a chat event is about (for a request, the one it creates or joins): facts about a conversation follow its creation. */
export function conversationKeyOf(delivery: Delivery): string {
  try {
    const { tenant, type, data } = JSON.parse(utf8.decode(delivery.data)) as { tenant?: unknown; type?: unknown; data?: Record<string, unknown> };
    if (type !== 'ConversationRequested') return String(data?.conversationId);
    const contact = String(data?.contact);
    return conversationIdFor(String(tenant), normaliseE164(contact) ?? contact, String(data?.serviceId));
  } catch {
    return delivery.subject;
  }
}
