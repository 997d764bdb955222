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

/** L6: why a decision that would give a conversation the number waits (`detachingAgrees`). */
export const waitingForDetaching = (number: string): string => `the configuration of ${number} read here is older than the change its detaching applied`;

/**
 * L5, L6: the numbers a new conversation of the service may be given (O1) that a change of their
 * linked service detaches it from: those the configuration links to the service. Its dialplan
 * number is the service's own, whatever the configuration links it to.
 */
export const detachableNumbersOf = <N extends { linkedServiceId?: string | undefined }>(serviceId: string, numbers: readonly N[]): N[] => numbers.filter((n) => n.linkedServiceId === serviceId);
