import { describe, expect, it } from '@jest/globals';
import { makeEvent, type ConversationEvent, type Member, type MembersAdded, type NumberConfiguration } from '@kite/contracts';
import { given } from '../decider.js';
import { messageToRoute, routing, type RouteMessage } from './routing.decider.js';

const TENANT = 'acme';
const CONVERSATION = 'Cconversation1';
const AT = '2026-11-24T10:00:00.000Z';
const alwaysOpen = { timeZone: 'UTC', rules: [{ days: 'everyday' as const, from: '00:00', to: '00:00' }], closures: [] };
const toGroup: NumberConfiguration = { linkedServiceId: 'sales', workingHours: { routing: { type: 'group', serviceId: 'sales' }, schedule: alwaysOpen, actions: [] } };
const context = { configuration: toGroup, groupAgents: (id: string) => (id === 'sales' ? ['alice', 'bob'] : []) };

const contactMessage = (n: number) =>
  makeEvent('ContactMessageAppended', TENANT, { conversationId: CONVERSATION, messageId: `m-${n}`, channel: 'sms', contact: '+15557654321', number: '+15551234567', serviceId: 'sales', text: 'hi', receivedAt: AT }, { id: `EVT${n}` });
const route = (n: number): RouteMessage => ({ message: contactMessage(n), context });
const agent = (id: string): Member => ({ kind: 'agent', id });
const added = (...members: Member[]): MembersAdded => makeEvent('MembersAdded', TENANT, { conversationId: CONVERSATION, members, reason: 'routing', silent: false });
const left = (id: string) => makeEvent('MemberRemoved', TENANT, { conversationId: CONVERSATION, member: agent(id), by: agent(id), reason: 'left' });
const membersOf = (events: readonly { type: string; data: unknown }[]) => events.flatMap((e) => (e.type === 'MembersAdded' ? (e.data as { members: Member[] }).members : []));

describe('routing as a decider: given(events).when(command).then(events)', () => {
  it('R4 given nothing, when a contact writes, then the whole group is added', () => {
    expect(membersOf(given(routing, []).when(route(1)))).toEqual([agent('alice'), agent('bob')]);
  });

  it('R4 given an agent of the group present, when the contact writes again, then nobody is added', () => {
    expect(given(routing, [added(agent('alice'), agent('bob'))]).when(route(2))).toEqual([]);
  });

  it('R4 given both agents added and then gone, when the contact writes, then the group is added again', () => {
    expect(membersOf(given(routing, [added(agent('alice'), agent('bob')), left('alice'), left('bob')]).when(route(3)))).toEqual([agent('alice'), agent('bob')]);
  });

  it("R9 an agent's or a bot's message is not a message to route; a contact's is", () => {
    const fromAgent: ConversationEvent = makeEvent('ChatMessageSent', TENANT, { conversationId: CONVERSATION, messageId: 'a-1', sender: agent('alice'), text: 'On it', sentAt: AT });
    const fromBot: ConversationEvent = makeEvent('ChatMessageSent', TENANT, { conversationId: CONVERSATION, messageId: 'b-1', sender: { kind: 'bot', id: 'helper' }, text: 'Hello', sentAt: AT });
    expect(messageToRoute(fromAgent)).toBeUndefined();
    expect(messageToRoute(fromBot)).toBeUndefined();
    // One event, built once: two builds differ in occurredAt when a millisecond passes between them.
    const fromContact = contactMessage(4);
    expect(messageToRoute(fromContact)).toEqual(fromContact);
  });
});
