import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeEvent, subjects } from '@kite/contracts';
import { conversationIdFor } from '@kite/domain';
import { eventually, TestSystem } from '@kite/testing';
import { configureGroupNumber, sendInbound } from './fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `npm run dead-letters`: list what was set aside, and drive an input again once its cause is fixed. */
describe('npm run dead-letters', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ services: ['config-service', 'linking-service'] });
    await configureGroupNumber(system, 'acme');
  });
  afterAll(async () => system?.stop());

  const run = (...args: string[]) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [path.join(ROOT, 'dist/tools/dead-letters.js'), ...args], { env: { ...process.env, NATS_URL: system.nats.url } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, out: stdout + stderr }),
      );
    });

  it('lists the letters; drives an agent\'s early message again once its conversation exists; keeps an event store\'s entry, naming the rebuild', async () => {
    const contact = '+15550005555';
    const conversationId = conversationIdFor('acme', contact, 'svc-sales');
    // An agent's message for a conversation that does not exist yet: tried five times, then set aside.
    const early = makeEvent('ChatMessageSent', 'acme', { conversationId, messageId: 'agent-early', sender: { kind: 'agent', id: 'ag-ana' }, text: 'Hello?', sentAt: new Date().toISOString() });
    await system.publish(subjects.inbound('acme', 'ChatMessageSent'), early);
    // A log entry linking's view cannot read.
    await system.publishRaw(subjects.conversation('acme', 'C-broken'), 'not an entry', 'broken-entry');
    const consumers = () => new Set(system.deadLetters.map((l) => (l.body as { consumer?: string }).consumer));
    await eventually(() => consumers().has('linking-service-chat') && consumers().has('linking-service-conversations'), 'both dead letters', 30_000);

    const listed = await run('list');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/linking-service-chat {2}kite\.in\.acme\.chat\.message\.sent \(KITE_IN #\d+\) {2}failed 5 times, last: conversation .+ is not a conversation of tenant acme/);
    expect(listed.out).toMatch(/linking-service-conversations {2}kite\.conv\.acme\.C-broken \(KITE_CONV #\d+\)/);
    expect(listed.out).toContain('2 dead letter(s)');
    expect((await run('list', '--consumer', 'linking-service-chat')).out).toContain('1 dead letter(s)');
    expect((await run('list', '--tenant', 'other')).out).toContain('0 dead letter(s)');

    // The cause is fixed: the contact writes, so the conversation exists.
    await sendInbound(system, 'acme', contact, 'sms-first');
    await eventually(() => system.outboundOf('ConversationCreated', (e) => (e.data as { conversationId: string }).conversationId === conversationId)[0], 'the conversation');
    const redriven = await run('redrive', '--consumer', 'linking-service-chat');
    expect([redriven.code, redriven.out]).toEqual([0, expect.stringContaining('1 of 1 dead letter(s) driven again')]);
    const sent = await eventually(() => system.outboundOf('OutboundMessageRequested', (e) => (e.data as { messageId: string }).messageId === 'agent-early')[0], "the agent's message leaving");
    expect(sent.data).toMatchObject({ conversationId, text: 'Hello?' });

    const entrySeq = Number(/#(\d+) .*kite\.conv\.acme\.C-broken/.exec((await run('list')).out)![1]);
    const kept = await run('redrive', String(entrySeq));
    expect(kept.code).toBe(1);
    expect(kept.out).toContain(`#${entrySeq}: kept; an entry of KITE_CONV is applied again by rebuilding linking-service (KITE_REBUILD=1)`);
    const left = await run('list');
    expect(left.out).toContain('1 dead letter(s)');
    expect(left.out).not.toContain('linking-service-chat');
    expect((await run('redrive')).code).toBe(2);
  }, 90_000);
});
