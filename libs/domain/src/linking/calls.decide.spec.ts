import { describe, expect, it } from '@jest/globals';
import { CallAppended, ConversationCreated, makeEvent, type CallEnded } from '@kite/contracts';
import type { OutboundContext } from '../outbound/outbound.decide.js';
import { decideCall } from './calls.decide.js';
import { conversationIdFor } from './conversation-id.js';

const TENANT = 'acme';
const CONTACT = '+15557654321';
const NUMBER = '+15551234567';
const SERVICE = 'sales';
const CONVERSATION = conversationIdFor(TENANT, CONTACT, SERVICE);
const SERVICE_NUMBER = '+15552000000';
/** O1 as the call's service has it: one configured SMS number, or nothing to send from. */
const CONFIGURED: OutboundContext = { numbers: [{ number: SERVICE_NUMBER, channels: ['sms'], status: 'configured', linkedServiceId: SERVICE }] };
const NOTHING: OutboundContext = { numbers: [] };

function callEnded(over: Partial<CallEnded['data']> = {}, id = 'EVTCALL0000000000000000001', correlationId?: string): CallEnded {
  const event = makeEvent(
    'CallEnded',
    TENANT,
    {
      callId: 'call-1',
      contact: CONTACT,
      serviceId: SERVICE,
      agentIds: ['ag-1', 'ag-2'],
      direction: 'inbound',
      startedAt: '2026-11-24T10:00:00.000Z',
      endedAt: '2026-11-24T10:05:00.000Z',
      ...over,
    },
    { id },
  );
  return correlationId ? { ...event, correlationId } : event;
}

describe('L4 calls create or join conversation (contact, service)', () => {
  it('L4 no number can serve the conversation yet: it is created all the same, without a number', () => {
    const events = decideCall(callEnded(), CONVERSATION, false, NOTHING);
    expect(events.map((e) => e.type)).toEqual(['ConversationCreated', 'CallAppended']);
    expect(ConversationCreated.parse(events[0]).data).toEqual({ conversationId: CONVERSATION, contact: CONTACT, serviceId: SERVICE, channel: 'call', origin: 'call' });
  });

  it('L4 O1 a call that names no number: the conversation is created on the number O1 sends SMS from', () => {
    const events = decideCall(callEnded(), CONVERSATION, false, CONFIGURED);
    expect(ConversationCreated.parse(events[0]).data.number).toBe(SERVICE_NUMBER);
  });

  it("L4 no conversation yet: ConversationCreated (origin call, channel call, the call's number) then CallAppended", () => {
    const call = callEnded({ number: NUMBER });
    const events = decideCall(call, CONVERSATION, false, CONFIGURED);
    expect(events.map((e) => e.type)).toEqual(['ConversationCreated', 'CallAppended']);
    const [created, appended] = events;
    expect(ConversationCreated.parse(created).data).toEqual({ conversationId: CONVERSATION, contact: CONTACT, serviceId: SERVICE, number: NUMBER, channel: 'call', origin: 'call' });
    expect(CallAppended.parse(appended).data).toEqual({
      conversationId: CONVERSATION,
      callId: 'call-1',
      contact: CONTACT,
      serviceId: SERVICE,
      agentIds: ['ag-1', 'ag-2'],
      direction: 'inbound',
      startedAt: '2026-11-24T10:00:00.000Z',
      endedAt: '2026-11-24T10:05:00.000Z',
    });
    for (const event of events) expect(event.tenant).toBe(TENANT);
    expect(created?.id).not.toBe(appended?.id);
  });

  it('L4 the conversation exists: only CallAppended, on that conversation', () => {
    const events = decideCall(callEnded({ direction: 'outbound', agentIds: [] }), 'Cexisting', true, CONFIGURED);
    expect(events.map((e) => e.type)).toEqual(['CallAppended']);
    expect(CallAppended.parse(events[0]).data).toMatchObject({ conversationId: 'Cexisting', direction: 'outbound', agentIds: [] });
  });

  it('L4 the events are caused by the call: causationId and correlationId', () => {
    const call = callEnded();
    for (const event of decideCall(call, CONVERSATION, false, CONFIGURED)) {
      expect(event.causationId).toBe(call.id);
      expect(event.correlationId).toBe(call.id);
    }
    const correlated = callEnded({}, 'EVTCALL0000000000000000002', 'CORRELATION0000000000000001');
    for (const event of decideCall(correlated, CONVERSATION, false, CONFIGURED)) {
      expect(event.causationId).toBe('EVTCALL0000000000000000002');
      expect(event.correlationId).toBe('CORRELATION0000000000000001');
    }
  });

  it('L4 ids are deterministic per callId: a redelivered call (new envelope id) decides the same ids', () => {
    const first = decideCall(callEnded({}, 'EVTCALL0000000000000000001'), CONVERSATION, false, CONFIGURED);
    const again = decideCall(callEnded({}, 'EVTCALL0000000000000000009'), CONVERSATION, false, CONFIGURED);
    expect(again.map((e) => e.id)).toEqual(first.map((e) => e.id));
  });

  it('L4 the CallAppended id does not depend on whether the conversation existed', () => {
    const created = decideCall(callEnded(), CONVERSATION, false, CONFIGURED);
    const joined = decideCall(callEnded(), CONVERSATION, true, CONFIGURED);
    expect(joined[0]?.id).toBe(created[1]?.id);
  });

  it('L4 another callId gives other ids', () => {
    const first = decideCall(callEnded(), CONVERSATION, false, CONFIGURED);
    const other = decideCall(callEnded({ callId: 'call-2' }), CONVERSATION, false, CONFIGURED);
    expect(other[0]?.id).not.toBe(first[0]?.id);
    expect(other[1]?.id).not.toBe(first[1]?.id);
  });
});
