import { deterministicId, makeEvent, type ConversationCreated, type ConversationRequested, type ConversationRequestRejected, type MembersAdded } from '@kite/contracts';
import { resolveSendingNumber, type OutboundContext } from '../outbound/outbound.decide.js';

/**
 * L5: an agent's "create conversation" for (E, S, channel) joins the existing conversation (the
 * agent becomes a member when not one already), or creates it with the agent as first member, on
 * the number O1 resolves for the service and channel. With no such number it is created all the
 * same, without one: `no_route` refuses its messages (O1), not the conversation. Only a service the
 * directory does not have is refused.
 */
export function decideConversationRequest(
  request: ConversationRequested,
  conversationId: string,
  existing: { members: readonly string[] } | undefined,
  context: OutboundContext & { serviceKnown: boolean },
): (ConversationCreated | MembersAdded | ConversationRequestRejected)[] {
  const { tenant, data } = request;
  const cause = { cause: request };
  const id = (what: string) => deterministicId(tenant, 'request', data.requestId, what);
  const agent = { kind: 'agent' as const, id: data.agentId };
  const join = makeEvent('MembersAdded', tenant, { conversationId, members: [agent], reason: 'create', silent: false }, { ...cause, id: id('members') });
  if (existing) return existing.members.includes(`agent:${data.agentId}`) ? [] : [join];
  if (!context.serviceKnown) {
    return [makeEvent('ConversationRequestRejected', tenant, { requestId: data.requestId, agentId: data.agentId, contact: data.contact, serviceId: data.serviceId, channel: data.channel, reason: 'unknown_service' }, { ...cause, id: id('rejected') })];
  }
  const route = resolveSendingNumber(data.serviceId, data.channel, context);
  const number = route.ok ? { number: route.from } : {};
  return [
    makeEvent('ConversationCreated', tenant, { conversationId, contact: data.contact, serviceId: data.serviceId, ...number, channel: data.channel, origin: 'agent' }, { ...cause, id: id('created') }),
    join,
  ];
}
