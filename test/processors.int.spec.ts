import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { makeEvent, partitionOf, STREAMS, subjects, type AnyEnvelope } from '@kite/contracts';
import { conversationIdFor } from '@kite/domain';
import { eventually, TestSystem } from '@kite/testing';
import { configureGroupNumber, inboundMessage } from './fixtures.js';

const ana = { kind: 'agent', id: 'ag-ana' } as const;

describe('the processors, with two instances of every service', () => {
  let system: TestSystem;
  let db: pg.Client;
  /** How many instances hold partitions of the processor, in the schema. */
  const holders = async (schema: string, processor: string) =>
    Number((await db.query(`SELECT count(DISTINCT owner) AS n FROM ${schema}.partition_leases WHERE processor = $1 AND expires_at > now()`, [processor])).rows[0].n);

  beforeAll(async () => {
    system = await TestSystem.start();
    for (const service of ['linking-service', 'routing-service', 'action-scheduler', 'config-service'] as const) await system.startExtraInstance(service);
    db = new pg.Client({ connectionString: system.databaseUrl });
    await db.connect();
    await configureGroupNumber(system, 'acme');
    // The partitions are shared once each instance has seen the other (a lease round is 3 s).
    for (const [schema, processor] of [['linking', 'contacts'], ['linking', 'conversations'], ['routing', 'conversations'], ['scheduler', 'conversations']] as const) {
      await eventually(async () => (await holders(schema, processor)) === 2, `two instances holding ${schema}'s ${processor}`, 20_000);
    }
  });
  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  it("a contact's burst keeps its arrival order into the conversation and on kite.out, and kite.out keeps each conversation's causal order", async () => {
    const contacts = Array.from({ length: 20 }, (_, i) => `+1555400${String(i).padStart(4, '0')}`);
    // Published back to back, the contacts' messages interleaved: hello 0 of every contact, then hello 1, …
    for (let n = 0; n < 5; n++) {
      await Promise.all(contacts.map((contact) => system.publish(subjects.inbound('acme', 'MessageReceived'), inboundMessage('acme', contact, `burst-${contact}-${n}`, `hello ${n}`))));
    }
    await eventually(() => system.outboundOf('ContactMessageAppended', (e) => (e.data as { messageId: string }).messageId.startsWith('burst-')).length === 100 || undefined, 'every message appended', 30_000);
    await eventually(() => system.outboundOf('MembersAdded').length >= 20 || undefined, 'every conversation routed', 30_000);

    // Each decision is on kite.out before it is in the log: wait for the log too.
    const appendedIn = (entries: { data: unknown }[]) => entries.flatMap((m) => m.data as AnyEnvelope[]).filter((e) => e.type === 'ContactMessageAppended' && (e.data as { messageId: string }).messageId.startsWith('burst-')).length;
    const log = await eventually(async () => {
      const entries = await system.stored(STREAMS.conversations.name);
      return appendedIn(entries) === 100 ? entries : undefined;
    }, 'every message in the logs');
    const out = (await system.stored(STREAMS.outbound.name)).map((m) => m.data as AnyEnvelope);
    for (const contact of contacts) {
      const conversationId = conversationIdFor('acme', contact, 'svc-sales');
      const texts = (events: AnyEnvelope[]) => events.filter((e) => e.type === 'ContactMessageAppended').map((e) => (e.data as { text: string }).text);
      const inLog = log.filter((m) => m.subject === subjects.conversation('acme', conversationId)).flatMap((m) => m.data as AnyEnvelope[]);
      expect(texts(inLog)).toEqual(['hello 0', 'hello 1', 'hello 2', 'hello 3', 'hello 4']);
      const onOut = out.filter((e) => (e.data as { conversationId?: string }).conversationId === conversationId);
      expect(texts(onOut)).toEqual(['hello 0', 'hello 1', 'hello 2', 'hello 3', 'hello 4']);
      // Nothing about the conversation before its creation; its routing after the message that caused it.
      expect(onOut[0]?.type).toBe('ConversationCreated');
      expect(onOut.filter((e) => e.type === 'ConversationCreated')).toHaveLength(1);
      expect(onOut.findIndex((e) => e.type === 'MembersAdded')).toBeGreaterThan(onOut.findIndex((e) => e.type === 'ContactMessageAppended'));
      expect(onOut.filter((e) => e.type === 'MembersAdded')).toHaveLength(1);
    }
  });

  it('a poison entry in the middle of a conversation goes to a dead letter of each service that reads it, and the later entries apply', async () => {
    const first = inboundMessage('acme', '+15554100001', 'poison-first');
    await system.publish(subjects.inbound('acme', 'MessageReceived'), first);
    const members = await eventually(() => system.outboundOf('MembersAdded', (e) => e.correlationId === first.id)[0], 'the conversation routed');
    const conversationId = (members.data as { conversationId: string }).conversationId;
    // A writer that does not follow the contract: an event its schema refuses, in the conversation's log.
    const poison = { ...makeEvent('ChatMessageRead', 'acme', { conversationId, messageId: 'm-1', readerId: 'ag-ana', readAt: new Date().toISOString() }), data: { conversationId, readAt: 'yesterday' } };
    await system.publishRaw(subjects.conversation('acme', conversationId), JSON.stringify([poison]), `poison-${conversationId}`);
    const sent = makeEvent('ChatMessageSent', 'acme', { conversationId, messageId: 'after-poison', sender: ana, text: 'Still here', sentAt: new Date().toISOString() });
    await system.publish(subjects.inbound('acme', 'ChatMessageSent'), sent);

    // Linking's view applied the agent's message after the poison: it routed it (O1).
    const requested = await eventually(() => system.outboundOf('OutboundMessageRequested', (e) => (e.data as { messageId?: string }).messageId === 'after-poison')[0], 'the agent message routed out');
    expect(requested.data).toMatchObject({ conversationId, text: 'Still here' });
    const dead = await eventually(() => {
      const letters = system.deadLetters.filter((d) => d.body.payload?.includes(poison.id));
      return letters.length === 3 ? letters : undefined;
    }, 'the poison dead-lettered by linking, routing and the scheduler');
    expect(dead.map((d) => d.subject).sort()).toEqual(['kite.dlq.action-scheduler.acme', 'kite.dlq.linking-service.acme', 'kite.dlq.routing-service.acme']);
    for (const d of dead) expect(d.body.reason).toMatch(/invalid ChatMessageRead: data\.(readerId|messageId|readAt)/);
  });

  it('an entry that keeps failing is dead-lettered after its attempts, and its partition goes on', async () => {
    // A chat message in the log of a conversation linking never created: linking cannot route it (O1).
    const orphan = 'CORPHAN0000000000000000001';
    const partition = partitionOf(subjects.conversation('acme', orphan), 16);
    // A contact whose conversation falls in the same partition: it waits behind the orphan, then goes on.
    let n = 0;
    while (partitionOf(subjects.conversation('acme', conversationIdFor('acme', `+1555420${String(n).padStart(4, '0')}`, 'svc-sales')), 16) !== partition) n++;
    const contact = `+1555420${String(n).padStart(4, '0')}`;
    const orphanMessage = makeEvent('ChatMessageSent', 'acme', { conversationId: orphan, messageId: 'orphan-1', sender: ana, text: 'Anyone?', sentAt: new Date().toISOString() });
    await system.publishRaw(subjects.conversation('acme', orphan), JSON.stringify([orphanMessage]), `orphan-${orphan}`);
    const behind = inboundMessage('acme', contact, 'behind-orphan');
    await system.publish(subjects.inbound('acme', 'MessageReceived'), behind);

    const letter = await eventually(() => system.deadLetters.find((d) => d.subject === 'kite.dlq.linking-service.acme' && d.body.payload?.includes('orphan-1')), 'the orphan dead-lettered', 30_000);
    expect(letter.body.reason).toMatch(/^failed 5 times, last: conversation of .* is not known here yet/);
    const conversationId = conversationIdFor('acme', contact, 'svc-sales');
    const view = await eventually(async () => {
      const found = await system.api('acme', 'GET', `/v1/conversations/${conversationId}`, undefined, { service: 'linking-service' });
      return found.status === 200 ? found.body : undefined;
    }, "the contact's conversation in linking's view", 30_000);
    expect(view).toMatchObject({ conversationId });
  });
});
