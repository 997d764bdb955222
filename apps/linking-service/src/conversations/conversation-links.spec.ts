import { describe, expect, it } from '@jest/globals';
import { makeEvent } from '@kite/contracts';
import { linkAfter, type ConversationLink } from './conversation-links.js';

const TENANT = 'acme';
const CONVERSATION = 'conv-1';
const NUMBER = '+15552220002';
const created = (number?: string) =>
  makeEvent('ConversationCreated', TENANT, { conversationId: CONVERSATION, contact: '+15551110001', serviceId: 'svc-1', ...(number ? { number } : {}), channel: 'sms', origin: 'agent' });
const linked = (number: string) => makeEvent('ConversationLinked', TENANT, { conversationId: CONVERSATION, channel: 'sms', number });

describe('linkAfter', () => {
  it('L3 L6 a created conversation: its service, number and first link', () => {
    expect(linkAfter(undefined, [created(NUMBER)])).toEqual({ conversationId: CONVERSATION, tenant: TENANT, serviceId: 'svc-1', number: NUMBER, links: [`sms:${NUMBER}`] });
  });

  it('L5 created without a number: no number, no link', () => {
    expect(linkAfter(undefined, [created()])).toEqual({ conversationId: CONVERSATION, tenant: TENANT, serviceId: 'svc-1', number: undefined, links: [] });
  });

  it('L4 L5 a conversation created without a number gains its first link from a later message, and keeps no number of creation', () => {
    const before: ConversationLink = { conversationId: CONVERSATION, tenant: TENANT, serviceId: 'svc-1', number: undefined, links: [] };
    expect(linkAfter(before, [linked(NUMBER)])).toEqual({ ...before, links: [`sms:${NUMBER}`] });
  });

  it('L1 a decision that links nothing new changes nothing', () => {
    const before: ConversationLink = { conversationId: CONVERSATION, tenant: TENANT, serviceId: 'svc-1', number: NUMBER, links: [`sms:${NUMBER}`] };
    expect(linkAfter(before, [linked(NUMBER)])).toBeUndefined();
  });
});
