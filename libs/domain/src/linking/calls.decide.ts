import { deterministicId, makeEvent, type CallAppended, type CallEnded, type ConversationCreated } from '@kite/contracts';
import { resolveSendingNumber, type OutboundContext } from '../outbound/outbound.decide.js';

/**
 * L4: a call between contact E and service S creates conversation (E, S) when absent (origin
 * `call`) and puts the call on its timeline. The new conversation's number is the call's, else the
 * one O1 would send SMS from for S, else none yet. `call.data.contact` is already E.164.
 */
export function decideCall(call: CallEnded, conversationId: string, exists: boolean, context: OutboundContext): (ConversationCreated | CallAppended)[] {
  const { tenant, data } = call;
  const route = exists || data.number ? undefined : resolveSendingNumber(data.serviceId, 'sms', context);
  const number = data.number ?? (route?.ok ? route.from : undefined);
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
