// End-to-end load: the whole system (four services, NATS, PostgreSQL on this machine) driven as the
// PBX gateway and the chat platform drive it, beside the raw bus on the same NATS server.
// `npm run bench` (BENCH_SECONDS, BENCH_TENANTS, BENCH_MAX_MESSAGES, BENCH_PHASES, BENCH_REPLAY, BENCH_FLOOR_SECONDS, BENCH_IDLE_SECONDS, BENCH_WARMUP_SECONDS to change the run).
import os from 'node:os';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { makeEvent, subjects, STREAMS } from '@kite/contracts';
import { PULL_TIMING } from '@kite/messaging';
import { startTestPostgres, TestSystem } from '@kite/testing';
import { busFloor, storedPerInbound } from './bus-floor.mjs';
import { processUsage, spentBetween } from './cpu.mjs';
import { consumerLags, deadLetters, handlerLatencies, pendingTimers, rawBus, roundTrips } from './probes.mjs';
import { eventsInConversationLogs, replay } from './replay.mjs';
import { printReport } from './report.mjs';
import { wakeUpCost } from './wakeup.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 5);
const MAX_MESSAGES = Number(process.env.BENCH_MAX_MESSAGES ?? 20_000);
/** The phases, in order: messages per second offered, or max (as fast as the publish window allows). */
const PHASES = (process.env.BENCH_PHASES ?? '200,1000,2000,max').split(',').map((p) => p.trim());
for (const p of PHASES) if (p !== 'max' && !(Number(p) > 0)) throw new Error(`BENCH_PHASES: ${p} is neither a rate nor max`);
/** How many times each service's read model is rebuilt (0: none); the rounds alternate the services, and more than one gives medians. */
const REPLAY_ROUNDS = Number(process.env.BENCH_REPLAY ?? 3);
if (!Number.isInteger(REPLAY_ROUNDS) || REPLAY_ROUNDS < 0) throw new Error(`BENCH_REPLAY: ${process.env.BENCH_REPLAY} is not a number of rounds`);
/** How long each phase of the bus floor runs (the phases' own length unless set). */
const FLOOR_SECONDS = Number(process.env.BENCH_FLOOR_SECONDS ?? SECONDS);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
/** A first phase at 100/s, shown as `warm-up`: the services' code is compiled and PostgreSQL's caches filled before the rated phases. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);
if (!(WARMUP_SECONDS >= 0)) throw new Error(`BENCH_WARMUP_SECONDS: ${process.env.BENCH_WARMUP_SECONDS} is not a number of seconds`);
if (!(IDLE_SECONDS > 0)) throw new Error(`BENCH_IDLE_SECONDS: ${process.env.BENCH_IDLE_SECONDS} is not a number of seconds`);
const REPLAYED = ['routing-service', 'linking-service', 'action-scheduler'];
const P_NEW = 0.3;
const P_REPLY = 0.2;
const P_READ = 0.2;
const P_CALL = 0.05;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const pgServer = await startTestPostgres();
const system = await TestSystem.start({ collect: false });
const nc = system.nc;
const js = jetstream(nc);
const jsm = await jetstreamManager(nc);
const payloadSize = JSON.stringify(makeEvent('MessageReceived', 'tenant-0', { messageId: 'x'.repeat(20), channel: 'sms', from: '+15550000000', to: '+15550000001', text: 'Hello, I would like to know more about your offer.', receivedAt: new Date().toISOString() })).length;

async function configure() {
  for (let t = 0; t < TENANTS; t++) {
    const tenant = `tenant-${t}`;
    const numbers = [1, 2, 3, 4].map((i) => `+1555${String(t).padStart(3, '0')}000${i}`);
    const ok = (r) => {
      if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    };
    ok(await system.api(tenant, 'PUT', '/v1/directory', {
      numbers: numbers.map((number) => ({ number, channels: ['sms', 'whatsapp'] })),
      services: [{ id: 'svc', name: 'Sales', agentIds: ['ag-1', 'ag-2'], dialplan: {} }],
      agents: [{ id: 'ag-1', name: 'One' }, { id: 'ag-2', name: 'Two' }],
      bots: [],
    }));
    for (const number of numbers) {
      ok(await system.api(tenant, 'PUT', `/v1/numbers/${encodeURIComponent(number)}`, { linkedServiceId: 'svc', workingHours: { routing: { type: 'group', serviceId: 'svc' }, schedule: { timeZone: 'UTC', rules: [] } } }));
    }
  }
  await system.untilConfigApplied(60_000);
}

/**
 * Timers pending for the idle measurements: a number of tenant-0 gets an action due in a day and a
 * hundred contacts write to it (a timer each). Done before the phases, whose messages to that
 * number arm timers too.
 */
async function armIdleTimers() {
  const tenant = 'tenant-0';
  const number = '+15550000001';
  const action = { id: 'idle-reply', onlyOnce: false, conditions: [{ type: 'no_reply', afterSeconds: 86_400 }], task: { type: 'add_members', agentIds: ['ag-2'] } };
  const saved = await system.api(tenant, 'PUT', `/v1/numbers/${encodeURIComponent(number)}`, { linkedServiceId: 'svc', workingHours: { routing: { type: 'group', serviceId: 'svc' }, schedule: { timeZone: 'UTC', rules: [] }, actions: [action] } });
  if (saved.status !== 200) throw new Error(`${saved.status} ${JSON.stringify(saved.body)}`);
  await system.untilConfigApplied(60_000);
  for (let i = 0; i < 100; i++) {
    const event = makeEvent('MessageReceived', tenant, { messageId: `idle-${Date.now()}-${i}`, channel: 'sms', from: `+1777000${String(i).padStart(4, '0')}`, to: number, text: 'Anyone there?', receivedAt: new Date().toISOString() });
    await system.publish(subjects.inbound(tenant, 'MessageReceived'), event);
  }
  const deadline = Date.now() + 60_000;
  while ((await pendingTimers(system)) < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
}

/** The system with no traffic and timers pending: once what came before has settled, the CPU of every process of the system over `seconds`. */
async function idleCost(seconds) {
  // What came before settles first (the collections of heaps it grew, the last deliveries).
  await new Promise((r) => setTimeout(r, 15_000));
  const before = processUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const spent = spentBetween(before, processUsage());
  delete spent.bench;
  return { timers: await pendingTimers(system), seconds, spent };
}

/** Observes kite.out through a JetStream ordered consumer: what the stream holds, duplicates dropped by it excluded. */
async function observe(onEvent) {
  const consumer = await js.consumers.get(STREAMS.outbound.name, { deliver_policy: DeliverPolicy.New });
  // As the services pull: nats-server 2.9.10 can drop an expiring pull unannounced (docs/architecture.md).
  const messages = await consumer.consume(PULL_TIMING);
  (async () => {
    for await (const m of messages) onEvent(JSON.parse(new TextDecoder().decode(m.data)), Date.now());
  })();
  return messages;
}

/** One load phase: `rate` messages per second (or as fast as the window allows when `rate` is 0). */
let phases = 0;
async function phase(name, rate, seconds, maxMessages = Infinity) {
  const phaseNumber = phases++; // contacts of one phase are never new in another
  const sent = new Map();
  const contacts = Array.from({ length: TENANTS }, () => []);
  const seen = new Map();
  const expected = { ContactMessageAppended: 0, ConversationCreated: 0, MembersAdded: 0, CallAppended: 0, OutboundMessageRequested: 0 };
  const latency = { appended: [], members: [] };
  /** Each contact message's publish and the moment its ContactMessageAppended came, for the minutes of a long phase. */
  const appendedAt = [];
  const conversations = new Map();
  const prefix = `${name.replace(/\W/g, '')}${Date.now() % 100000}`;
  const got = { ContactMessageAppended: 0, ConversationCreated: 0, MembersAdded: 0, CallAppended: 0, OutboundMessageRequested: 0 };
  const messages = await observe((event, at) => {
    const count = (seen.get(event.id) ?? 0) + 1;
    seen.set(event.id, count);
    if (count > 1) return;
    if (event.type in got && sent.has(event.correlationId)) got[event.type]++;
    const s = sent.get(event.correlationId);
    if (event.type === 'ContactMessageAppended' && s) {
      latency.appended.push(at - s.at);
      appendedAt.push({ sent: s.at, at });
      conversations.set(s.contactKey, event.data.conversationId);
    }
    if (event.type === 'MembersAdded' && s) latency.members.push(at - s.at);
  });
  const usageBefore = processUsage();
  const started = Date.now();
  let i = 0;
  const inFlight = [];
  while (Date.now() - started < seconds * 1000 && i < maxMessages) {
    const t = i % TENANTS;
    const tenant = `tenant-${t}`;
    const isNew = contacts[t].length === 0 || Math.random() < P_NEW;
    const contact = isNew ? `+1666${String(t).padStart(2, '0')}${String(contacts[t].length).padStart(6, '0')}${phaseNumber}` : contacts[t][Math.floor(Math.random() * contacts[t].length)];
    if (isNew) contacts[t].push(contact);
    const contactKey = `${tenant}:${contact}`;
    const number = `+1555${String(t).padStart(3, '0')}000${1 + (i % 4)}`;
    const event = makeEvent('MessageReceived', tenant, { messageId: `${prefix}-${i}`, channel: 'sms', from: contact, to: number, text: 'Hello, I would like to know more about your offer.', receivedAt: new Date().toISOString() });
    sent.set(event.id, { at: Date.now(), contactKey });
    expected.ContactMessageAppended++;
    if (isNew) {
      expected.ConversationCreated++;
      expected.MembersAdded++;
    }
    inFlight.push(system.publish(subjects.inbound(tenant, 'MessageReceived'), event));
    const conversationId = conversations.get(contactKey);
    if (conversationId && !isNew) {
      if (Math.random() < P_REPLY) {
        expected.OutboundMessageRequested++;
        const reply = makeEvent('ChatMessageSent', tenant, { conversationId, messageId: `${prefix}-r${i}`, sender: { kind: 'agent', id: 'ag-1' }, text: 'Thanks!', sentAt: new Date().toISOString() });
        sent.set(reply.id, { at: Date.now(), contactKey });
        inFlight.push(system.publish(subjects.inbound(tenant, 'ChatMessageSent'), reply));
      }
      if (Math.random() < P_READ) inFlight.push(system.publish(subjects.inbound(tenant, 'ChatMessageRead'), makeEvent('ChatMessageRead', tenant, { conversationId, messageId: `${prefix}-${i}`, readerId: 'ag-1', readAt: new Date().toISOString() })));
      if (Math.random() < P_CALL) {
        expected.CallAppended++;
        const call = makeEvent('CallEnded', tenant, { callId: `${prefix}-c${i}`, contact, serviceId: 'svc', agentIds: ['ag-2'], direction: 'inbound', startedAt: new Date(Date.now() - 60_000).toISOString(), endedAt: new Date().toISOString() });
        sent.set(call.id, { at: Date.now(), contactKey });
        inFlight.push(system.publish(subjects.inbound(tenant, 'CallEnded'), call));
      }
    }
    i++;
    if (inFlight.length >= 256) await Promise.all(inFlight.splice(0));
    if (rate > 0) {
      const ahead = started + (i * 1000) / rate - Date.now();
      if (ahead > 0) await sleep(ahead);
    }
  }
  await Promise.all(inFlight);
  const publishSeconds = (Date.now() - started) / 1000;
  const lagAtEnd = await consumerLags(system);
  // Drain: until every expected effect came (the last one ends the phase), or nothing came for 30 s.
  let last = -1;
  let lastAt = Date.now();
  let drainedAt = Date.now();
  while (Object.keys(expected).some((type) => got[type] < expected[type]) && Date.now() - lastAt < 30_000) {
    if (seen.size !== last) {
      last = seen.size;
      lastAt = Date.now();
      drainedAt = lastAt;
    }
    await sleep(100);
  }
  if (Object.keys(expected).every((type) => got[type] >= expected[type])) drainedAt = Date.now();
  const usageAfter = processUsage();
  const cpu = spentBetween(usageBefore, usageAfter);
  const switches = spentBetween(usageBefore, usageAfter, 'switches');
  await sleep(1_000); // duplicates, if any, come now
  await messages.close();
  return { name, sent: i, started, publishSeconds, drainedSeconds: (drainedAt - started) / 1000, expected, got, seen, latency, appendedAt, lagAtEnd, cpu, switches };
}

try {
  console.log(`${os.cpus().length} cores, Node ${process.version}; ${TENANTS} tenants x 4 numbers; payload ${payloadSize} bytes`);
  const raw = await rawBus({ js, jsm }, 20_000, payloadSize);
  const floor = await roundTrips({ system, js, jsm }, payloadSize);
  const hop = await wakeUpCost();
  const busOnly = await busFloor(system.nats.url, PHASES.map((p) => (p === 'max' ? { name: 'max', rate: 0, messages: MAX_MESSAGES } : { name: `${p}/s`, rate: Number(p), messages: Number(p) * FLOOR_SECONDS })));
  await configure();
  await armIdleTimers();
  const idleFresh = await idleCost(IDLE_SECONDS);
  const results = [];
  if (WARMUP_SECONDS > 0) results.push(await phase('warm-up', 100, WARMUP_SECONDS));
  for (const p of PHASES) results.push(p === 'max' ? await phase('max', 0, 600, MAX_MESSAGES) : await phase(`${p}/s`, Number(p), SECONDS));
  const stored = await storedPerInbound(jsm, { inbound: STREAMS.inbound.name, conversations: STREAMS.conversations.name, outbound: STREAMS.outbound.name }, results.reduce((n, r) => n + r.sent, 0));
  const idle = await idleCost(IDLE_SECONDS);
  const handlers = await handlerLatencies(system); // before the replays restart the services
  const replays = [];
  for (let round = 1; round <= REPLAY_ROUNDS; round++) for (const service of REPLAYED) replays.push({ round, ...(await replay(system, service)) });
  const events = replays.length ? await eventsInConversationLogs(system, replays[0].entries) : 0;

  const letters = await deadLetters({ js, jsm });
  printReport({ payloadSize, raw, floor, hop, busOnly, stored, results, idleFresh, idle, deadLetters: letters, replays, replayRounds: REPLAY_ROUNDS, replayed: REPLAYED, events, handlers });
} finally {
  await system.stop();
  await pgServer.stop();
}
