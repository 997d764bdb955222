import { deterministicId, makeEvent, type CallAppended, type CallEnded, type ConversationCreated } from '@kite/contracts';

/**
 * L4: a call between contact E and service S creates conversation (E, S) when absent (origin
 * `call`, on `number`, without one when no number can serve it yet) and puts the call on its
 * timeline. `call.data.contact` is already E.164.
 */
export function decideCall(call: CallEnded, conversationId: string, exists: boolean, number: string | undefined): (ConversationCreated | CallAppended)[] {
  const { tenant, data } = call;
  const cause = { cause: call };
  const id = (what: string) => deterministicId(tenant, 'call', data.callId, what);
  const events: (ConversationCreated | CallAppended)[] = [];
  if (!exists) {
    events.push(makeEvent('ConversationCreated', tenant, { conversationId, contact: data.contact, serviceId: data.serviceId, ...(number ? { number } : {}), channel: 'call', origin: 'call' }, { ...cause, id: id('created') }));
  }
  events.push(
    makeEvent('CallAppended', tenant, { conversationId, callId: data.callId, contact: data.contact, serviceId: data.serviceId, agentIds: data.agentIds, direction: data.direction, startedAt: data.startedAt, endedAt: data.endedAt }, { ...cause, id: id('appended') }),
  );
  return events;
}
