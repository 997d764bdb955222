import { describe, expect, it } from '@jest/globals';
import { makeEvent } from '@kite/contracts';
import { simulateContact } from './simulate.js';

const NUMBER = '+15551230002';
const CONTACT = '+15557654321';
const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const HOUR = 3_600_000;
const created = makeEvent('ConversationCreated', 'acme', { conversationId: 'C1', contact: CONTACT, serviceId: 'sales', channel: 'whatsapp', number: NUMBER, origin: 'inbound' });
const wrote = makeEvent('ContactMessageAppended', 'acme', { conversationId: 'C1', messageId: 'm1', channel: 'whatsapp', contact: CONTACT, number: NUMBER, serviceId: 'sales', text: 'hi', receivedAt: new Date(T0).toISOString() });
const noConsent = { scope: 'number' as const, changes: [], serviceOf: () => 'sales' };

describe("W6 P3 simulate for a contact: what a message to them would meet", () => {
  it('W6 free-form until 24 hours after their last WhatsApp message, not at or after it', () => {
    expect(simulateContact(NUMBER, CONTACT, [created, wrote], new Date(T0 + 23 * HOUR), noConsent)).toEqual({
      contact: CONTACT,
      whatsapp: { freeForm: true, window: { open: true, until: '2026-11-25T10:00:00.000Z' } },
      consent: 'none',
    });
    expect(simulateContact(NUMBER, CONTACT, [created, wrote], new Date(T0 + 24 * HOUR), noConsent).whatsapp).toEqual({ freeForm: false, window: { open: false, closedAt: '2026-11-25T10:00:00.000Z' } });
  });

  it('W6 at a past instant, only what the contact had written by then counts', () => {
    const later = makeEvent('ContactMessageAppended', 'acme', { conversationId: 'C1', messageId: 'm2', channel: 'whatsapp', contact: CONTACT, number: NUMBER, serviceId: 'sales', text: 'hi', receivedAt: new Date(T0 + 30 * HOUR).toISOString() });
    expect(simulateContact(NUMBER, CONTACT, [created, wrote, later], new Date(T0 + 25 * HOUR), noConsent).whatsapp.freeForm).toBe(false);
    expect(simulateContact(NUMBER, CONTACT, [created, wrote, later], new Date(T0 + 31 * HOUR), noConsent).whatsapp.freeForm).toBe(true);
  });

  it('W6 a contact without a conversation has no window', () => {
    expect(simulateContact(NUMBER, CONTACT, [], new Date(T0), noConsent).whatsapp).toEqual({ freeForm: false, window: { open: false } });
  });

  it('P3 their consent for messages from this number, within the scope', () => {
    const stop = { change: { contact: CONTACT, status: 'opted_out' as const, number: '+15551230001', source: 'keyword' as const, at: new Date(T0).toISOString() }, seq: 1 };
    expect(simulateContact(NUMBER, CONTACT, [], new Date(T0), { scope: 'number', changes: [stop], serviceOf: () => 'sales' }).consent).toBe('none');
    expect(simulateContact(NUMBER, CONTACT, [], new Date(T0), { scope: 'service', changes: [stop], serviceOf: () => 'sales' }).consent).toBe('opted_out');
  });
});
