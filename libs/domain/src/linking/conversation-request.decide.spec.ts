import { describe, expect, it } from '@jest/globals';
import { ConversationCreated, ConversationRequestRejected, makeEvent, MembersAdded, type ConversationRequested } from '@kite/contracts';
import type { OutboundContext } from '../outbound/outbound.decide.js';
import { conversationIdFor } from './conversation-id.js';
import { decideConversationRequest } from './conversation-request.decide.js';

const TENANT = 'acme';
const CONTACT = '+15557654321';
const NUMBER = '+15551234567';
const SERVICE = 'sales';
const CONVERSATION = conversationIdFor(TENANT, CONTACT, SERVICE);

function requested(over: Partial<ConversationRequested['data']> = {}, id = 'EVTREQUEST0000000000000001'): ConversationRequested {
  return makeEvent('ConversationRequested', TENANT, { requestId: 'req-1', agentId: 'ag-1', contact: CONTACT, serviceId: SERVICE, channel: 'sms', ...over }, { id });
}

type Context = OutboundContext & { serviceKnown: boolean };
/** O1 as the service has it: NUMBER configured for both channels. */
const ok: Context = { serviceKnown: true, numbers: [{ number: NUMBER, channels: ['sms', 'whatsapp'], status: 'configured', linkedServiceId: SERVICE }] };
/** Nothing to send from on the channel: no number at all, or none with it. */
const noRoute = (reason: 'no_route' | 'channel_not_enabled'): Context =>
  reason === 'no_route' ? { serviceKnown: true, numbers: [] } : { serviceKnown: true, numbers: [{ number: NUMBER, channels: ['sms'], status: 'configured', linkedServiceId: SERVICE }] };

describe('L5 an agent creates a conversation', () => {
  describe('when the conversation exists', () => {
    it('L5 an agent who is not a member joins it: MembersAdded [agent] reason create', () => {
      const request = requested();
      const events = decideConversationRequest(request, 'Cexisting', { members: ['agent:ag-2', 'bot:ag-1'] }, ok);
      expect(events.map((e) => e.type)).toEqual(['MembersAdded']);
      expect(MembersAdded.parse(events[0]).data).toEqual({ conversationId: 'Cexisting', members: [{ kind: 'agent', id: 'ag-1' }], reason: 'create', silent: false });
      expect(events[0]?.causationId).toBe(request.id);
      expect(events[0]?.correlationId).toBe(request.id);
    });

    it('L5 joins even when no sending number could be resolved', () => {
      const events = decideConversationRequest(requested(), 'Cexisting', { members: [] }, noRoute('no_route'));
      expect(events.map((e) => e.type)).toEqual(['MembersAdded']);
    });

    it('L5 an agent who is already a member: nothing', () => {
      expect(decideConversationRequest(requested(), 'Cexisting', { members: ['agent:ag-2', 'agent:ag-1'] }, ok)).toEqual([]);
    });
  });

  describe('when the conversation does not exist', () => {
    it("L5 O1 with a route: ConversationCreated origin agent on the number O1 resolves, with the requested channel, then MembersAdded [agent] reason create", () => {
      const request = requested({ channel: 'sms' });
      const events = decideConversationRequest(request, CONVERSATION, undefined, { serviceKnown: true, numbers: [], dialplanSmsNumber: '+15552000000' });
      expect(events.map((e) => e.type)).toEqual(['ConversationCreated', 'MembersAdded']);
      const [created, added] = events;
      expect(ConversationCreated.parse(created).data).toEqual({ conversationId: CONVERSATION, contact: CONTACT, serviceId: SERVICE, number: '+15552000000', channel: 'sms', origin: 'agent' });
      expect(MembersAdded.parse(added).data).toEqual({ conversationId: CONVERSATION, members: [{ kind: 'agent', id: 'ag-1' }], reason: 'create', silent: false });
      for (const event of events) {
        expect(event.tenant).toBe(TENANT);
        expect(event.causationId).toBe(request.id);
      }
      expect(created?.id).not.toBe(added?.id);
    });

    it.each(['no_route', 'channel_not_enabled'] as const)('L5 O1 with no number to send from (%s): created all the same, without a number, the agent first', (reason) => {
      const request = requested({ channel: 'whatsapp' });
      const events = decideConversationRequest(request, CONVERSATION, undefined, noRoute(reason));
      expect(events.map((e) => e.type)).toEqual(['ConversationCreated', 'MembersAdded']);
      const [created, added] = events;
      expect(ConversationCreated.parse(created).data).toEqual({ conversationId: CONVERSATION, contact: CONTACT, serviceId: SERVICE, channel: 'whatsapp', origin: 'agent' });
      expect(MembersAdded.parse(added).data.members).toEqual([{ kind: 'agent', id: 'ag-1' }]);
    });

    it('L5 a service the directory does not have: ConversationRequestRejected reason unknown_service', () => {
      const request = requested({ channel: 'whatsapp' });
      const events = decideConversationRequest(request, CONVERSATION, undefined, { serviceKnown: false, numbers: [] });
      expect(events.map((e) => e.type)).toEqual(['ConversationRequestRejected']);
      expect(ConversationRequestRejected.parse(events[0]).data).toEqual({ requestId: 'req-1', agentId: 'ag-1', contact: CONTACT, serviceId: SERVICE, channel: 'whatsapp', reason: 'unknown_service' });
      expect(events[0]?.causationId).toBe(request.id);
    });
  });

  describe('idempotency', () => {
    it('L5 ids are deterministic per requestId: a redelivered request decides the same ids', () => {
      const first = decideConversationRequest(requested({}, 'EVTREQUEST0000000000000001'), CONVERSATION, undefined, ok);
      const again = decideConversationRequest(requested({}, 'EVTREQUEST0000000000000002'), CONVERSATION, undefined, ok);
      expect(again.map((e) => e.id)).toEqual(first.map((e) => e.id));
    });

    it('L5 another requestId gives other ids', () => {
      const first = decideConversationRequest(requested(), CONVERSATION, undefined, ok);
      const other = decideConversationRequest(requested({ requestId: 'req-2' }), CONVERSATION, undefined, ok);
      expect(other[0]?.id).not.toBe(first[0]?.id);
      expect(other[1]?.id).not.toBe(first[1]?.id);
    });
  });
});
