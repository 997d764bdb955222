import { deterministicId, makeEvent, type ConversationDetached } from '@kite/contracts';

/**
 * L6: when a number's linked service changes from `from` to something else, every conversation of
 * service `from` that used the number is detached from it: it stops sending and receiving over it.
 */
export function decideDetach(
  tenant: string,
  number: string,
  from: string | undefined,
  to: string | undefined,
  conversations: readonly { conversationId: string; serviceId: string; links: readonly string[]; detached: readonly string[] }[],
  cause: { id: string },
): ConversationDetached[] {
  if (!from || from === to) return [];
  return conversations
    .filter((c) => c.serviceId === from && c.links.some((l) => l.endsWith(`:${number}`)) && !c.detached.includes(number))
    .map((c) =>
      makeEvent('ConversationDetached', tenant, { conversationId: c.conversationId, number, reason: 'linked_service_changed' }, { cause, id: deterministicId(tenant, 'detach', cause.id, c.conversationId) }),
    );
}

/**
 * L6: the linked service a number is remembered by after a change to its configuration: the new
 * one; a removal keeps the last, so removing and then linking to S2 detaches, and linking to S1
 * again does not.
 */
export const rememberedLinkedService = (last: string | undefined, next: string | undefined): string | undefined => next ?? last;

/**
 * L6: a decision that gives a conversation a number stands only on a configuration of the number
 * at least as new as the last change the number's detaching applied (positions in the
 * configuration stream). On an older one (a copy not refreshed yet) it could give a conversation
 * of S1 the number after S1's conversations were detached from it: it waits for the newer one.
 */
export const detachingAgrees = (configuredAt: number | undefined, detachedThrough: number | undefined): boolean => detachedThrough === undefined || (configuredAt ?? 0) >= detachedThrough;
