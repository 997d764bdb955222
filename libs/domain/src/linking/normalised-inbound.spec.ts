import { describe, expect, it } from '@jest/globals';
import { makeEvent, MessageReceived } from '@kite/contracts';
import { normalisedInbound } from './linking.decide.js';

const inbound = (from: string): MessageReceived =>
  makeEvent('MessageReceived', 'acme', { messageId: 'provider-msg-1', channel: 'whatsapp', from, to: '+15551234567', text: 'hi', receivedAt: '2026-11-24T12:00:00.000Z' }, { id: 'EVTINBOUND0000000000000001' });

describe('L1 contact numbers are compared in E.164', () => {
  it("L1 '+1 (555) 123-4567' becomes '+15551234567', every other field kept", () => {
    const message = inbound('+1 (555) 123-4567');
    const normalised = normalisedInbound(message);
    expect(normalised).toEqual({ ...message, data: { ...message.data, from: '+15551234567' } });
    expect(MessageReceived.parse(normalised).data.from).toBe('+15551234567');
  });

  it('L1 the original message is not changed', () => {
    const message = inbound('+1 (555) 123-4567');
    normalisedInbound(message);
    expect(message.data.from).toBe('+1 (555) 123-4567');
  });

  it('L1 a number already in E.164 is kept as it is', () => {
    expect(normalisedInbound(inbound('+15551234567'))?.data.from).toBe('+15551234567');
  });

  it('L1 a leading 00 is read as +', () => {
    expect(normalisedInbound(inbound('0044 20 7946 0958'))?.data.from).toBe('+442079460958');
  });

  it.each(['555-123-4567', '+0 555 123 4567', '+1 (555)', '+1234567890123456'])('L1 an unreadable number (%s) gives undefined', (from) => {
    expect(normalisedInbound(inbound(from))).toBeUndefined();
  });
});
