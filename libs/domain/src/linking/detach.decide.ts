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

/**
 * L6: the position in the configuration stream a decision that gives a conversation the number
 * stood on: its copy of the number's configuration, or the last change the detaching applied
 * if that is newer. Later detaching changes are the ones it did not know of (`decideLateDetach`).
 */
export const positionDecidedOn = (configuredAt: number | undefined, detachedThrough: number | undefined): number => Math.max(configuredAt ?? 0, detachedThrough ?? 0);

/** A change of a number's linked service that detached the conversations of `from`, at `seq` in the configuration stream. */
export interface DetachingChange {
  seq: number;
  from: string;
  to: string | undefined;
  cause: { id: string; correlationId?: string | undefined };
}

/**
 * L6 for a decision that gave a conversation a number on the number's configuration as of `since`
 * and was committed after later changes had looked for the conversations to detach: the
 * conversation is detached as those changes would have detached it, had it been there to be found
 * (the same events, under the same ids).
 */
export function decideLateDetach(
  tenant: string,
  number: string,
  since: number,
  conversation: { conversationId: string; serviceId: string; links: readonly string[] },
  changes: readonly DetachingChange[],
): ConversationDetached[] {
  const detached: ConversationDetached[] = [];
  for (const change of [...changes].sort((a, b) => a.seq - b.seq)) {
    if (change.seq <= since) continue;
    const candidate = { ...conversation, detached: detached.map((d) => d.data.number) };
    detached.push(...decideDetach(tenant, number, change.from, change.to, [candidate], change.cause));
  }
  return detached;
}
