import { describe, expect, it } from '@jest/globals';
import { OutboundMessageRejected, OutboundMessageRequested } from '@kite/contracts';
import {
  conversationNumberOn,
  decideOutbound,
  outboundChannelOf,
  resolveSendingNumber,
  type ConfiguredNumber,
  type ConversationForOutbound,
  type OutboundContext,
  type OutboundMessage,
} from './outbound.decide.js';

const TENANT = 'acme';
const SERVICE = 'sales';
const OTHER_SERVICE = 'support';
const CONTACT = '+15557654321';
const OWN = '+15551234567';
const DIALPLAN = '+15550009999';

const num = (number: string, over: Partial<ConfiguredNumber> = {}): ConfiguredNumber => ({ number, channels: ['sms', 'whatsapp'], status: 'configured', linkedServiceId: SERVICE, ...over });
const ctx = (numbers: ConfiguredNumber[], dialplanSmsNumber?: string): OutboundContext => ({ numbers, dialplanSmsNumber });

const conversation = (over: Partial<ConversationForOutbound> = {}): ConversationForOutbound => ({
  conversationId: 'C1',
  contact: CONTACT,
  serviceId: SERVICE,
  links: [`sms:${OWN}`],
  detached: [],
  ...over,
});

const message = (over: Partial<OutboundMessage> = {}): OutboundMessage => ({
  messageId: 'msg-1',
  text: 'hello from the agent',
  at: Date.parse('2026-11-24T10:00:00Z'),
  cause: { id: 'EVTCAUSE000000000000000001' },
  ...over,
});

describe('O1 resolveSendingNumber', () => {
  describe('(1) number configuration', () => {
    it("O1 uses the conversation's own number when it is still linked to the service and has the channel", () => {
      const context = ctx([num('+15551000000'), num(OWN)], DIALPLAN);
      expect(resolveSendingNumber(SERVICE, 'sms', context, OWN)).toEqual({ ok: true, from: OWN, route: 'number_configuration' });
      expect(resolveSendingNumber(SERVICE, 'whatsapp', context, OWN)).toEqual({ ok: true, from: OWN, route: 'number_configuration' });
    });

    it("O1 the own number linked to another service now: another configured number of the service with the channel, lowest E.164 first", () => {
      const context = ctx([num(OWN, { linkedServiceId: OTHER_SERVICE }), num('+15553000000'), num('+15551000001'), num('+15552000000'), num('+15551000000', { linkedServiceId: OTHER_SERVICE })], DIALPLAN);
      expect(resolveSendingNumber(SERVICE, 'sms', context, OWN)).toEqual({ ok: true, from: '+15551000001', route: 'number_configuration' });
    });

    it("O1 the own number without the channel: another number of the service with the channel", () => {
      const context = ctx([num(OWN, { channels: ['sms'] }), num('+15559000000', { channels: ['whatsapp'] }), num('+15558000000', { channels: ['sms'] })]);
      expect(resolveSendingNumber(SERVICE, 'whatsapp', context, OWN)).toEqual({ ok: true, from: '+15559000000', route: 'number_configuration' });
    });

    it('O1 with no conversation number: the lowest configured number of the service with the channel', () => {
      const context = ctx([num('+15553000000'), num('+15552000000', { channels: ['sms'] }), num('+15551000000', { channels: ['sms'] })]);
      expect(resolveSendingNumber(SERVICE, 'whatsapp', context)).toEqual({ ok: true, from: '+15553000000', route: 'number_configuration' });
      expect(resolveSendingNumber(SERVICE, 'sms', context)).toEqual({ ok: true, from: '+15551000000', route: 'number_configuration' });
    });

    it('O1 a not_configured number is never used, neither as own number nor as another number', () => {
      const context = ctx([num(OWN, { status: 'not_configured' }), num('+15551000000', { status: 'not_configured' }), num('+15552000000')]);
      expect(resolveSendingNumber(SERVICE, 'sms', context, OWN)).toEqual({ ok: true, from: '+15552000000', route: 'number_configuration' });
      const onlyUnconfigured = ctx([num(OWN, { status: 'not_configured' })]);
      expect(resolveSendingNumber(SERVICE, 'whatsapp', onlyUnconfigured, OWN)).toEqual({ ok: false, reason: 'no_route' });
    });

    it('O1 a not_configured number is not used even when a dialplan exists: the dialplan is', () => {
      const context = ctx([num(OWN, { status: 'not_configured' })], DIALPLAN);
      expect(resolveSendingNumber(SERVICE, 'sms', context, OWN)).toEqual({ ok: true, from: DIALPLAN, route: 'dialplan' });
    });

    it('O1 partially_configured counts as configured (C8)', () => {
      expect(resolveSendingNumber(SERVICE, 'sms', ctx([num(OWN, { status: 'partially_configured' })], DIALPLAN), OWN)).toEqual({ ok: true, from: OWN, route: 'number_configuration' });
      expect(resolveSendingNumber(SERVICE, 'sms', ctx([num('+15551000000', { status: 'partially_configured' })], DIALPLAN))).toEqual({
        ok: true,
        from: '+15551000000',
        route: 'number_configuration',
      });
    });

    it('O1 a number with no linked service is not used', () => {
      const context = ctx([num(OWN, { linkedServiceId: undefined })]);
      expect(resolveSendingNumber(SERVICE, 'sms', context, OWN)).toEqual({ ok: false, reason: 'no_route' });
    });
  });

  describe('(2) dialplan SMS setting', () => {
    it('O1 no configured number with the channel but a dialplan SMS number and channel sms: route dialplan', () => {
      const context = ctx([num(OWN, { linkedServiceId: OTHER_SERVICE })], DIALPLAN);
      expect(resolveSendingNumber(SERVICE, 'sms', context, OWN)).toEqual({ ok: true, from: DIALPLAN, route: 'dialplan' });
      expect(resolveSendingNumber(SERVICE, 'sms', ctx([], DIALPLAN))).toEqual({ ok: true, from: DIALPLAN, route: 'dialplan' });
    });

    it('O1 a configured number with the channel wins over the dialplan', () => {
      expect(resolveSendingNumber(SERVICE, 'sms', ctx([num('+15551000000')], DIALPLAN))).toEqual({ ok: true, from: '+15551000000', route: 'number_configuration' });
    });

    it('O1 whatsapp never uses the dialplan', () => {
      expect(resolveSendingNumber(SERVICE, 'whatsapp', ctx([], DIALPLAN))).toEqual({ ok: false, reason: 'no_route' });
    });

    it('O1 an sms-only service number with a dialplan: sms goes over dialplan only when the number lacks sms', () => {
      const context = ctx([num(OWN, { channels: ['whatsapp'] })], DIALPLAN);
      expect(resolveSendingNumber(SERVICE, 'sms', context, OWN)).toEqual({ ok: true, from: DIALPLAN, route: 'dialplan' });
      expect(resolveSendingNumber(SERVICE, 'whatsapp', context, OWN)).toEqual({ ok: true, from: OWN, route: 'number_configuration' });
    });
  });

  describe('(3) refused', () => {
    it('O1 nothing at all: no_route', () => {
      expect(resolveSendingNumber(SERVICE, 'sms', ctx([]))).toEqual({ ok: false, reason: 'no_route' });
      expect(resolveSendingNumber(SERVICE, 'whatsapp', ctx([]), OWN)).toEqual({ ok: false, reason: 'no_route' });
    });

    it("O1 only other services' numbers: no_route", () => {
      expect(resolveSendingNumber(SERVICE, 'sms', ctx([num('+15551000000', { linkedServiceId: OTHER_SERVICE })]))).toEqual({ ok: false, reason: 'no_route' });
    });

    it('O1 the service has configured numbers but none with the channel: channel_not_enabled', () => {
      const context = ctx([num('+15551000000', { channels: ['sms'] }), num('+15552000000', { channels: ['sms'], status: 'partially_configured' })], DIALPLAN);
      expect(resolveSendingNumber(SERVICE, 'whatsapp', context)).toEqual({ ok: false, reason: 'channel_not_enabled' });
      expect(resolveSendingNumber(SERVICE, 'sms', ctx([num('+15551000000', { channels: ['whatsapp'] })]))).toEqual({ ok: false, reason: 'channel_not_enabled' });
    });

    it('O1 not_configured numbers of the service do not make it channel_not_enabled', () => {
      expect(resolveSendingNumber(SERVICE, 'whatsapp', ctx([num('+15551000000', { status: 'not_configured', channels: ['sms'] })]))).toEqual({ ok: false, reason: 'no_route' });
    });

    it('L6 a detached conversation number: linked_service_changed even when other numbers and a dialplan exist', () => {
      const context = ctx([num(OWN), num('+15551000000'), num('+15552000000')], DIALPLAN);
      expect(resolveSendingNumber(SERVICE, 'sms', context, OWN, true)).toEqual({ ok: false, reason: 'linked_service_changed' });
      expect(resolveSendingNumber(SERVICE, 'whatsapp', context, OWN, true)).toEqual({ ok: false, reason: 'linked_service_changed' });
    });
  });
});

describe('outboundChannelOf', () => {
  it("O1 the contact's last channel comes first", () => {
    expect(outboundChannelOf(conversation({ lastChannel: 'whatsapp', links: [`sms:${OWN}`] }))).toBe('whatsapp');
    expect(outboundChannelOf(conversation({ lastChannel: 'sms', links: [`whatsapp:${OWN}`] }))).toBe('sms');
  });

  it("O1 with no last channel: the first link's channel", () => {
    expect(outboundChannelOf(conversation({ links: [`whatsapp:${OWN}`, `sms:${OWN}`] }))).toBe('whatsapp');
    expect(outboundChannelOf(conversation({ links: [`sms:${OWN}`, `whatsapp:${OWN}`] }))).toBe('sms');
  });

  it('O1 with no last channel and no links: the channel it was created on (L5 without a number), else sms', () => {
    expect(outboundChannelOf(conversation({ links: [], createdOn: 'whatsapp' }))).toBe('whatsapp');
    expect(outboundChannelOf(conversation({ links: [], createdOn: 'call' }))).toBe('sms');
    expect(outboundChannelOf(conversation({ links: [] }))).toBe('sms');
  });
});

describe('conversationNumberOn', () => {
  it('O1 returns the latest link on that channel', () => {
    const c = conversation({ links: [`sms:${OWN}`, 'whatsapp:+15552000000', 'sms:+15553000000', 'whatsapp:+15554000000'] });
    expect(conversationNumberOn(c, 'sms')).toBe('+15553000000');
    expect(conversationNumberOn(c, 'whatsapp')).toBe('+15554000000');
  });

  it('O1 returns undefined when the conversation never used the channel', () => {
    expect(conversationNumberOn(conversation({ links: [`sms:${OWN}`] }), 'whatsapp')).toBeUndefined();
    expect(conversationNumberOn(conversation({ links: [] }), 'sms')).toBeUndefined();
  });
});

describe('decideOutbound', () => {
  it('O1 OutboundMessageRequested with channel, from, to = contact, text and route', () => {
    const event = decideOutbound(TENANT, message(), conversation({ lastChannel: 'sms' }), ctx([num(OWN), num('+15551000000')]));
    expect(event.type).toBe('OutboundMessageRequested');
    expect(event.tenant).toBe(TENANT);
    expect(event.data).toEqual({ conversationId: 'C1', messageId: 'msg-1', channel: 'sms', from: OWN, to: CONTACT, text: 'hello from the agent', route: 'number_configuration' });
    expect(OutboundMessageRequested.parse(event)).toEqual(event);
  });

  it('O1 the whatsapp number of the conversation is used for a whatsapp reply', () => {
    const c = conversation({ links: [`sms:${OWN}`, 'whatsapp:+15552000000'], lastChannel: 'whatsapp', whatsappWindowUntil: Date.parse('2026-11-24T11:00:00Z') });
    const event = decideOutbound(TENANT, message(), c, ctx([num(OWN), num('+15552000000'), num('+15551000000')]));
    expect(event.data).toMatchObject({ channel: 'whatsapp', from: '+15552000000', route: 'number_configuration' });
    expect(OutboundMessageRequested.parse(event).data.from).toBe('+15552000000');
  });

  it('O2 names the dialplan route source', () => {
    const event = decideOutbound(TENANT, message(), conversation({ links: [] }), ctx([], DIALPLAN));
    expect(event.type).toBe('OutboundMessageRequested');
    expect(OutboundMessageRequested.parse(event).data).toMatchObject({ channel: 'sms', from: DIALPLAN, route: 'dialplan' });
  });

  it('O1 nothing to send from: OutboundMessageRejected no_route', () => {
    const event = decideOutbound(TENANT, message(), conversation({ lastChannel: 'whatsapp' }), ctx([], DIALPLAN));
    expect(event.type).toBe('OutboundMessageRejected');
    expect(event.data).toEqual({ conversationId: 'C1', messageId: 'msg-1', reason: 'no_route' });
    expect(OutboundMessageRejected.parse(event)).toEqual(event);
  });

  it('L6 a conversation whose number on the channel was detached is refused with linked_service_changed', () => {
    const c = conversation({ links: [`sms:${OWN}`], detached: [OWN] });
    const event = decideOutbound(TENANT, message(), c, ctx([num(OWN, { linkedServiceId: OTHER_SERVICE }), num('+15551000000')], DIALPLAN));
    expect(event.type).toBe('OutboundMessageRejected');
    expect(OutboundMessageRejected.parse(event).data).toEqual({ conversationId: 'C1', messageId: 'msg-1', reason: 'linked_service_changed' });
  });

  it('O2 the event id is the same for the same message id and differs for another', () => {
    const context = ctx([num(OWN)]);
    const first = decideOutbound(TENANT, message(), conversation(), context);
    const again = decideOutbound(TENANT, message({ cause: { id: 'EVTCAUSE000000000000000002' } }), conversation(), context);
    const other = decideOutbound(TENANT, message({ messageId: 'msg-2' }), conversation(), context);
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
  });

  it('O2 the event id differs per tenant for the same message id', () => {
    const context = ctx([num(OWN)]);
    expect(decideOutbound('globex', message(), conversation(), context).id).not.toBe(decideOutbound(TENANT, message(), conversation(), context).id);
  });

  it('O2 causationId and correlationId come from the cause', () => {
    const context = ctx([num(OWN)]);
    const plain = decideOutbound(TENANT, message(), conversation(), context);
    expect(plain.causationId).toBe('EVTCAUSE000000000000000001');
    expect(plain.correlationId).toBe('EVTCAUSE000000000000000001');
    const correlated = decideOutbound(TENANT, message({ cause: { id: 'EVTCAUSE000000000000000001', correlationId: 'CORRELATION0000000000000001' } }), conversation(), context);
    expect(correlated.causationId).toBe('EVTCAUSE000000000000000001');
    expect(correlated.correlationId).toBe('CORRELATION0000000000000001');
    const rejected = decideOutbound(TENANT, message({ cause: { id: 'EVTCAUSE000000000000000003', correlationId: 'CORRELATION0000000000000002' } }), conversation(), ctx([]));
    expect(rejected.type).toBe('OutboundMessageRejected');
    expect(rejected.causationId).toBe('EVTCAUSE000000000000000003');
    expect(rejected.correlationId).toBe('CORRELATION0000000000000002');
  });
});

describe('O1 lowest E.164 first is numeric', () => {
  it('O1 prefers the numerically lower number when the lengths differ', () => {
    const route = resolveSendingNumber('svc', 'sms', {
      numbers: [
        { number: '+15551234567', channels: ['sms'], status: 'configured', linkedServiceId: 'svc' },
        { number: '+4420794609', channels: ['sms'], status: 'configured', linkedServiceId: 'svc' },
      ],
    });
    expect(route).toEqual({ ok: true, from: '+4420794609', route: 'number_configuration' });
  });
});
