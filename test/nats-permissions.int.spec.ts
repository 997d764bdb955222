import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { makeEvent, STREAMS, subjects, type AnyEnvelope } from '@kite/contracts';
import { freePort, SERVICE_NAMES, startNatsServer, startService, type RunningNats } from '@kite/local-infra';
import { connectNats, EventPublisher, type NatsConnection } from '@kite/messaging';
import { eventually, TestSystem } from '@kite/testing';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PERMISSIONS = path.join(ROOT, 'deploy/nats/permissions.conf');
const USERS = [...SERVICE_NAMES, 'pbx-gateway', 'kite-admin'] as const;
const NUMBER = '+15550000001';

/** The variable deploy/nats/permissions.conf reads a user's password from. */
const passwordVariable = (user: string) => `${user.toUpperCase().replace(/-/g, '_')}_NATS_PASSWORD`;
// nats-server reads a variable as a value of its configuration: a password must start with a letter (docs/operations.md).
const passwords = Object.fromEntries(USERS.map((u) => [u, `k${randomBytes(16).toString('hex')}`])) as Record<(typeof USERS)[number], string>;
const as = (user: (typeof USERS)[number]) => ({ user, password: passwords[user] });

const run = (file: string, env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number; out: string }>((resolve) => {
    execFile(process.execPath, [path.join(ROOT, file)], { env: { ...process.env, ...env } }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, out: stdout + stderr }));
  });

/**
 * Least privilege on NATS, proven: the server runs with deploy/nats/permissions.conf, the streams
 * are provisioned by the operators' user, every service runs under its own user and may not manage
 * streams, the PBX gateway publishes what arrives and reads the effects through its durable
 * consumer. Whole flows run (configuration, linking, routing, a timed action, a dead letter) and
 * the server's log must hold no permission violation; what a user may not do is refused, and logged.
 */
describe('NATS permissions: every service under its own user, least privilege', () => {
  let dir: string;
  let nats: RunningNats;
  let logFile: string;
  let system: TestSystem;
  let gateway: NatsConnection;
  const violations = () => fs.readFileSync(logFile, 'utf8').split('\n').filter((line) => /violation/i.test(line));

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kite-permissions-'));
    logFile = path.join(dir, 'nats.log');
    const env = Object.fromEntries(USERS.map((u) => [passwordVariable(u), passwords[u]]));
    nats = await startNatsServer({ port: await freePort(), storeDir: path.join(dir, 'store'), logFile, configFile: PERMISSIONS, env });

    const provisioned = await run('dist/tools/streams.js', { NATS_URL: nats.url, NATS_USER: 'kite-admin', NATS_PASSWORD: passwords['kite-admin'] });
    expect(provisioned).toMatchObject({ code: 0 });
    expect(provisioned.out).toContain('KITE_CONV: 1 replica(s)');

    const serviceEnv = (name: (typeof SERVICE_NAMES)[number]) => ({ NATS_USER: name, NATS_PASSWORD: passwords[name], KITE_STREAMS: 'existing' });
    system = await TestSystem.start({ nats: { url: nats.url, credentials: as('kite-admin') }, env: Object.fromEntries(SERVICE_NAMES.map((name) => [name, serviceEnv(name)])) });
    gateway = await connectNats(nats.url, 'pbx-gateway', as('pbx-gateway'));
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    await system?.stop();
    await nats?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs every flow with no permission violation: configuration, an inbound message routed, a timed action, a dead letter, the gateway reading its effects', async () => {
    const ok = (r: { status: number }) => expect(r.status).toBe(200);
    ok(await system.api('acme', 'PUT', '/v1/directory', {
      numbers: [{ number: NUMBER, channels: ['sms'] }],
      services: [{ id: 'svc-a', name: 'A', agentIds: ['ag-ana'], dialplan: {} }],
      agents: [{ id: 'ag-ana', name: 'Ana' }],
      bots: [{ id: 'bot-1', name: 'Bot' }],
    }));
    ok(await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(NUMBER)}`, {
      linkedServiceId: 'svc-a',
      workingHours: {
        routing: { type: 'group', serviceId: 'svc-a' },
        schedule: { timeZone: 'UTC', rules: [] },
        actions: [{ id: 'greet', conditions: [{ type: 'no_reply', afterSeconds: 5 }], task: { type: 'send_message', botId: 'bot-1', text: 'We will get back to you.' } }],
      },
    }));
    await system.untilConfigApplied();

    // The gateway's durable consumer on KITE_OUT, named as its permissions allow; it acknowledges each effect.
    const jsm = await jetstreamManager(gateway);
    await jsm.consumers.add(STREAMS.outbound.name, { durable_name: 'pbx-gateway', ack_policy: AckPolicy.Explicit, filter_subject: 'kite.out.acme.>' });
    const effects: AnyEnvelope[] = [];
    const reading = await (await jetstream(gateway).consumers.get(STREAMS.outbound.name, 'pbx-gateway')).consume({ max_messages: 100 });
    void (async () => {
      for await (const m of reading) {
        effects.push(m.json<AnyEnvelope>());
        m.ack();
      }
    })();

    const publisher = new EventPublisher(gateway);
    const inbound = makeEvent('MessageReceived', 'acme', { messageId: 'perm-1', channel: 'sms', from: '+15557000001', to: NUMBER, text: 'Hello', receivedAt: new Date().toISOString() });
    await publisher.publish(subjects.inbound('acme', 'MessageReceived'), inbound);
    await publisher.publishRaw(subjects.inbound('acme', 'MessageReceived'), '{"not":"an event"}', 'perm-bad');

    const types = () => new Set(effects.map((e) => e.type));
    const requested = () => effects.filter((e) => e.type === 'OutboundMessageRequested').length;
    await eventually(() => ['ConversationCreated', 'ContactMessageAppended', 'MembersAdded', 'TimerFired'].every((t) => types().has(t)) && requested() === 1, 'the gateway to read every effect, the timed action\'s included', 30_000);
    const conversationId = (effects.find((e) => e.type === 'ConversationCreated')!.data as { conversationId: string }).conversationId;
    const agentMessage = makeEvent('ChatMessageSent', 'acme', { conversationId, messageId: 'perm-agent-1', sender: { kind: 'agent', id: 'ag-ana' }, text: 'On it', sentAt: new Date().toISOString() });
    await publisher.publish(subjects.inbound('acme', 'ChatMessageSent'), agentMessage);
    await eventually(() => requested() === 2, 'the agent\'s message requested');
    // Consent: a keyword recorded by linking, a provider's report, an administrator's change (P1, P6, P7).
    await publisher.publish(subjects.inbound('acme', 'MessageReceived'), makeEvent('MessageReceived', 'acme', { messageId: 'perm-stop', channel: 'sms', from: '+15557000001', to: NUMBER, text: 'STOP', receivedAt: new Date().toISOString() }));
    await publisher.publish(subjects.inbound('acme', 'ContactOptedOut'), makeEvent('ContactOptedOut', 'acme', { contact: '+15557000002', number: NUMBER, providerCode: '21610', at: new Date().toISOString() }));
    expect((await system.api('acme', 'PUT', `/v1/consent/${encodeURIComponent('+15557000003')}`, { status: 'opted_out' })).status).toBe(200);
    const consentOf = async (contact: string) => ((await system.api('acme', 'GET', `/v1/consent?contact=${encodeURIComponent(contact)}`)).body as { changes: unknown[] }).changes.length;
    await eventually(async () => (await consentOf('+15557000001')) === 1 && (await consentOf('+15557000002')) === 1, 'the keyword and the provider report recorded');
    // What the APIs read from the streams: a number's history, a conversation, a contact's simulation (its conversation's log).
    const simulated = await system.api('acme', 'GET', `/v1/numbers/${encodeURIComponent(NUMBER)}/simulate?contact=${encodeURIComponent('+15557000001')}`);
    expect([simulated.status, (simulated.body as { contact?: { consent: string } }).contact?.consent]).toEqual([200, 'opted_out']);
    expect((await system.api('acme', 'GET', `/v1/numbers/${encodeURIComponent(NUMBER)}/history`)).status).toBe(200);
    expect((await system.api('acme', 'GET', `/v1/conversations/${conversationId}`, undefined, { service: 'linking-service' })).status).toBe(200);
    await eventually(() => system.deadLetters.some((l) => l.subject.startsWith('kite.dlq.linking-service.')), 'the bad event dead-lettered by linking');
    const consumer = await jsm.consumers.info(STREAMS.outbound.name, 'pbx-gateway');
    await eventually(async () => (await jsm.consumers.info(STREAMS.outbound.name, 'pbx-gateway')).num_ack_pending === 0, 'every effect acknowledged by the gateway');
    expect(consumer.config.durable_name).toBe('pbx-gateway');
    await reading.close();

    const readiness = await Promise.all(SERVICE_NAMES.map(async (name) => (await fetch(`http://127.0.0.1:${system.ports[name]}/health/ready`)).status));
    expect(readiness).toEqual([200, 200, 200, 200]);
    expect(violations()).toEqual([]);
  }, 90_000);

  it('refuses what a user may not do, and the server logs it: a service deleting a stream, the gateway writing a conversation', async () => {
    const routing = await connectNats(nats.url, 'routing-service', as('routing-service'));
    try {
      await expect((await jetstreamManager(routing, { timeout: 2_000 })).streams.delete(STREAMS.conversations.name)).rejects.toThrow();
      await expect(new EventPublisher(gateway).publish(subjects.conversation('acme', 'C-1'), { id: 'forged' })).rejects.toThrow();
    } finally {
      await routing.close();
    }
    await eventually(() => violations().length >= 2 && violations(), 'the violations logged', 5_000);
    expect(violations().join('\n')).toMatch(/routing-service.*\$JS\.API\.STREAM\.DELETE\.KITE_CONV/);
    expect(violations().join('\n')).toMatch(/pbx-gateway.*kite\.conv\.acme\.C-1/);
    await expect((await jetstreamManager(system.nc)).streams.info(STREAMS.conversations.name)).resolves.toBeDefined();
  });

  it('a service whose user lacks a permission it needs is not ready, and counts the refusals in its metrics', async () => {
    // linking reads KITE_IN; the scheduler's user may not.
    const port = await freePort();
    const env = { NATS_URL: nats.url, NATS_USER: 'action-scheduler', NATS_PASSWORD: passwords['action-scheduler'], KITE_STREAMS: 'existing', DATABASE_URL: system.databaseUrl, AUTH_JWT_SECRET: system.secret, LOG_LEVEL: 'warn' };
    const misconfigured = startService(ROOT, 'linking-service', port, env, process.env.KITE_TEST_LOGS ? 'inherit' : 'ignore');
    try {
      const refused = await eventually(
        async () => {
          const [ready, metrics] = await Promise.all([fetch(`http://127.0.0.1:${port}/health/ready`), fetch(`http://127.0.0.1:${port}/metrics`)]).catch(() => [undefined, undefined]);
          const refusals = Number((await metrics?.text())?.match(/^kite_nats_permission_refusals_total (\d+)/m)?.[1] ?? 0);
          return ready?.status === 503 && refusals > 0 && { status: ready.status, refusals };
        },
        'the misconfigured instance to say it is not ready',
        30_000,
      );
      expect(refused.status).toBe(503);
    } finally {
      await misconfigured.stop();
    }
  });
});
