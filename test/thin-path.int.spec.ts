import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { subjects } from '@kite/contracts';
import { eventually, settle, TestSystem } from '@kite/testing';
import { configureGroupNumber, inboundMessage, NUMBER, sendInbound } from './fixtures.js';

/** The thin path through all four services, by the public contract alone: kite.in in, kite.out out. */
describe('thin path: MessageReceived → ConversationCreated (L3) → MembersAdded (R4)', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start();
    await configureGroupNumber(system, 'acme');
  });
  afterAll(async () => system?.stop());

  it('L3 R4 creates the conversation and adds every agent of the group, correlated to the inbound event', async () => {
    const inboundId = await sendInbound(system, 'acme', '+15557654321', 'sms-1');
    const created = await eventually(() => system.outboundOf('ConversationCreated', (e) => e.correlationId === inboundId)[0], 'ConversationCreated');
    expect(created.data).toMatchObject({ contact: '+15557654321', serviceId: 'svc-sales', number: NUMBER, channel: 'sms', origin: 'inbound' });
    const added = await eventually(() => system.outboundOf('MembersAdded', (e) => e.correlationId === inboundId)[0], 'MembersAdded');
    expect(added.data).toEqual({ conversationId: (created.data as { conversationId: string }).conversationId, members: [{ kind: 'agent', id: 'ag-ana' }, { kind: 'agent', id: 'ag-bruno' }], reason: 'routing', silent: false });
  });

  it('L3 R4 a second message joins the same conversation and adds nobody while the group is present', async () => {
    const secondId = await sendInbound(system, 'acme', '+15557654321', 'sms-2');
    await eventually(() => system.outboundOf('ContactMessageAppended', (e) => e.correlationId === secondId)[0], 'the second message on the timeline');
    await settle(500);
    expect(system.outboundOf('ConversationCreated', (e) => (e.data as { contact: string }).contact === '+15557654321')).toHaveLength(1);
    expect(system.outboundOf('MembersAdded', (e) => e.correlationId === secondId)).toHaveLength(0);
  });

  it('L2 a message on a number without configuration is rejected with its reason and announced', async () => {
    const event = { ...inboundMessage('acme', '+15557654321', 'sms-unknown'), data: { ...inboundMessage('acme', '+15557654321', 'x').data, messageId: 'sms-unknown', to: '+15559999999' } };
    await system.publish(subjects.inbound('acme', 'MessageReceived'), event);
    const rejected = await eventually(() => system.outboundOf('MessageRejected', (e) => e.correlationId === event.id)[0], 'MessageRejected');
    expect(rejected.data).toMatchObject({ messageId: 'sms-unknown', reason: 'number_not_configured' });
  });

  it('S2 a malformed event goes to the dead letter with its reason, and the next event is processed', async () => {
    await system.publishRaw('kite.in.acme.message.received', '{"id":"01JD0Z6Q4K8W3V2N5M7P9R1T0S","type":"MessageReceived","version":1,"tenant":"acme","occurredAt":"2026-11-24T10:00:00.000Z","data":{"messageId":"bad","channel":"fax"}}', 'malformed-1');
    await system.publishRaw('kite.in.acme.message.received', 'not json at all', 'malformed-2');
    const nextId = await sendInbound(system, 'acme', '+15550001111', 'sms-after-bad');
    await eventually(() => system.outboundOf('ConversationCreated', (e) => e.correlationId === nextId)[0], 'the event behind the bad ones');
    const letters = await eventually(() => (system.deadLetters.length >= 2 ? system.deadLetters : undefined), 'two dead letters');
    expect(letters.map((l) => l.subject)).toEqual(['kite.dlq.linking-service.acme', 'kite.dlq.linking-service.acme']);
    expect(letters[0]!.body.reason).toMatch(/data\.channel/);
    expect(letters[1]!.body.reason).toMatch(/not JSON/);
    expect(letters[1]!.body.payload).toBe('not json at all');
  });

  it('S2 a text the store would refuse (a NUL) is dead-lettered with its path, and the contact\'s next message still links', async () => {
    const poison = inboundMessage('acme', '+15550003333', 'sms-nul', 'hello\u0000');
    await system.publish(subjects.inbound('acme', 'MessageReceived'), poison);
    const nextId = await sendInbound(system, 'acme', '+15550003333', 'sms-after-nul');
    await eventually(() => system.outboundOf('ContactMessageAppended', (e) => e.correlationId === nextId)[0], 'the contact\'s next message');
    const letter = await eventually(() => system.deadLetters.find((l) => l.body.reason.startsWith('data.text:')), 'a dead letter for the NUL');
    expect(letter.body.reason).toBe('data.text: holds a character that cannot be stored (NUL, or an unpaired UTF-16 surrogate)');
    expect(system.outboundOf('ContactMessageAppended', (e) => e.correlationId === poison.id)).toHaveLength(0);
  });

  it('S2 a dead letter always lands: one whose payload would make it too large keeps a reference to the original instead', async () => {
    // 450,000 quotes, 900 kB escaped once: wrapped as text in a letter, escaped again, they would pass NATS's 1 MB maximum.
    const huge = JSON.stringify({ ...inboundMessage('acme', '+15550004444', 'sms-huge'), data: { text: '"'.repeat(450_000) } });
    await system.publishRaw('kite.in.acme.message.received', huge, 'huge-1');
    const letter = await eventually(() => system.deadLetters.find((l) => (l.body as { payloadOmittedBytes?: number }).payloadOmittedBytes !== undefined), 'the letter of the huge payload');
    expect(letter.subject).toBe('kite.dlq.linking-service.acme');
    expect(letter.body).toMatchObject({ stream: 'KITE_IN', subject: 'kite.in.acme.message.received', payloadOmittedBytes: Buffer.byteLength(huge) });
    expect(letter.body.payload).toBeUndefined();
    expect((letter.body as { seq?: number }).seq).toBeGreaterThan(0);
  });

  it('S2 an event whose tenant differs from its subject is dead-lettered, not processed', async () => {
    const event = inboundMessage('other', '+15550002222', 'sms-wrong-tenant');
    await system.publish(subjects.inbound('acme', 'MessageReceived'), event);
    await eventually(() => system.deadLetters.find((l) => l.body.reason.includes('does not match')), 'a dead letter for the tenant mismatch');
    expect(system.outboundOf('ConversationCreated', (e) => e.correlationId === event.id)).toHaveLength(0);
  });
});
