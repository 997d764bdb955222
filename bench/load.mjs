// End-to-end load: the whole system (four services, NATS, PostgreSQL on this machine) driven as the
// PBX gateway and the chat platform drive it, beside the raw bus on the same NATS server.
// `npm run bench` (BENCH_SECONDS, BENCH_TENANTS, BENCH_MAX_MESSAGES, BENCH_PHASES, BENCH_REPLAY, BENCH_FLOOR_SECONDS, BENCH_IDLE_SECONDS, BENCH_WARMUP_SECONDS to change the run).
import os from 'node:os';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { makeEvent, subjects, STREAMS } from '@kite/contracts';
import { PULL_TIMING, streamLastSequence } from '@kite/messaging';
import { startTestPostgres, TestSystem } from '@kite/testing';
import pg from 'pg';
import { busFloor, storedPerInbound } from './bus-floor.mjs';
import { processUsage, spentBetween } from './cpu.mjs';
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
const MINUTE_S = 60;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

const pgServer = await startTestPostgres();
const system = await TestSystem.start({ collect: false });
const nc = system.nc;
const js = jetstream(nc);
const jsm = await jetstreamManager(nc);
const payloadSize = JSON.stringify(makeEvent('MessageReceived', 'tenant-0', { messageId: 'x'.repeat(20), channel: 'sms', from: '+15550000000', to: '+15550000001', text: 'Hello, I would like to know more about your offer.', receivedAt: new Date().toISOString() })).length;

/** The raw bus: publish with acks and consume with acks, same payload size, on the same server. */
async function rawBus(count) {
  await jsm.streams.add({ name: 'BENCH_RAW', subjects: ['bench.raw.>'] });
  const payload = new Uint8Array(payloadSize).fill(120);
  const started = performance.now();
  const window = [];
  for (let i = 0; i < count; i++) {
    window.push(js.publish(`bench.raw.${i % 16}`, payload, { msgID: `raw-${i}` }));
    if (window.length >= 256) await Promise.all(window.splice(0));
  }
  await Promise.all(window);
  const publishRate = count / ((performance.now() - started) / 1000);
  await jsm.consumers.add('BENCH_RAW', { durable_name: 'raw', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: 10_000 });
  const consumer = await js.consumers.get('BENCH_RAW', 'raw');
  const consumedStart = performance.now();
  let consumed = 0;
  const messages = await consumer.consume({ max_messages: 1_000 });
  for await (const m of messages) {
    m.ack();
    if (++consumed >= count) break;
  }
  const consumeRate = count / ((performance.now() - consumedStart) / 1000);
  await jsm.streams.delete('BENCH_RAW');
  return { publishRate, consumeRate };
}

/** The floor under any latency here: one PostgreSQL round trip, one transaction commit, one acknowledged publish, idle. */
async function roundTrips() {
  const client = new pg.Client({ connectionString: system.databaseUrl });
  await client.connect();
  const time = async (n, work) => {
    const took = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await work(i);
      took.push(performance.now() - t);
    }
    return pct(took.sort((a, b) => a - b), 50);
  };
  await client.query('CREATE TEMP TABLE bench_commit (n int)');
  const query = await time(500, () => client.query('SELECT 1'));
  const commit = await time(200, async (i) => {
    await client.query('BEGIN');
    await client.query('INSERT INTO bench_commit VALUES ($1)', [i]);
    await client.query('COMMIT');
  });
  await client.end();
  await jsm.streams.add({ name: 'BENCH_RTT', subjects: ['bench.rtt'] });
  const publish = await time(500, (i) => js.publish('bench.rtt', new Uint8Array(payloadSize), { msgID: `rtt-${i}` }));
  await jsm.streams.delete('BENCH_RTT');
  return { query, commit, publish };
}

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
  while ((await pendingTimers()) < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
}

const pendingTimers = async () => Number(/^kite_timers_pending (\S+)/m.exec((await servicesMetrics()).map((m) => m.text).join('\n'))?.[1] ?? 0);

/** The system with no traffic and timers pending: once what came before has settled, the CPU of every process of the system over `seconds`. */
async function idleCost(seconds) {
  // What came before settles first (the collections of heaps it grew, the last deliveries).
  await new Promise((r) => setTimeout(r, 15_000));
  const before = processUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const spent = spentBetween(before, processUsage());
  delete spent.bench;
  return { timers: await pendingTimers(), seconds, spent };
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
  const lagAtEnd = await consumerLags();
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

/**
 * Rebuilds a service's read model by replay: its schema dropped, its processors read the streams
 * again from the beginning. Timed from the process start (boot and migrations included) and from
 * its first applied entry (its conversations processor's first checkpoint moved) to the moment it
 * answers ready, which a rebuilding service does only once it has caught up.
 */
async function replay(service) {
  const schema = { 'routing-service': 'routing', 'linking-service': 'linking', 'action-scheduler': 'scheduler' }[service];
  const entries = await streamLastSequence(nc, STREAMS.conversations.name);
  await system.stopService(service);
  const db = new pg.Client({ connectionString: system.databaseUrl });
  await db.connect();
  // The service drops its schema itself (keeping its inputs' checkpoints: they are not replayed);
  // the log's checkpoints go first, so the first one seen is the rebuild's.
  await db.query(`DELETE FROM ${schema}.checkpoints WHERE stream = $1`, [STREAMS.conversations.name]);
  const applied = () => db.query(`SELECT 1 FROM ${schema}.checkpoints WHERE processor = 'conversations' AND position > 0 LIMIT 1`).then((r) => r.rowCount > 0, () => false);
  const started = performance.now();
  let ready = false;
  const starting = system.startService(service, { KITE_REBUILD: '1' }).then(() => (ready = true));
  let firstApplied;
  let cpuBefore;
  while (!ready) {
    if (firstApplied === undefined && (await applied())) {
      firstApplied = performance.now();
      cpuBefore = processUsage();
    }
    await sleep(20);
  }
  const ended = performance.now();
  await starting;
  await db.end();
  firstApplied ??= ended;
  const cpu = spentBetween(cpuBefore ?? processUsage(), processUsage());
  const busy = Object.entries(cpu).filter(([, seconds]) => seconds > 0.01).sort((a, b) => b[1] - a[1]).map(([group, seconds]) => `${group} ${(seconds / ((ended - firstApplied) / 1000)).toFixed(2)}`).join(', ');
  return { busy, service, entries, seconds: (ended - started) / 1000, rate: entries / ((ended - started) / 1000), applyRate: entries / ((ended - firstApplied) / 1000) };
}

/** How many events the conversation logs hold up to `lastSeq`: an entry holds the events of one decision. */
async function eventsInConversationLogs(lastSeq) {
  const consumer = await js.consumers.get(STREAMS.conversations.name, { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume({ max_messages: 1_000 });
  const decoder = new TextDecoder();
  let events = 0;
  for await (const m of messages) {
    events += JSON.parse(decoder.decode(m.data)).length;
    if (m.seq >= lastSeq) break;
  }
  await messages.close();
  return events;
}

/** Every service's metrics, as Prometheus text. */
const servicesMetrics = () => Promise.all(Object.entries(system.ports).map(async ([service, port]) => ({ service, text: await (await fetch(`http://127.0.0.1:${port}/metrics`)).text() })));

/** The value of a one-label metric in every service's metrics: [label value, value] pairs. */
async function labelled(name, label) {
  const pattern = new RegExp(`^${name}\\{${label}="([^"]+)"\\} (\\S+)$`, 'gm');
  return (await servicesMetrics()).flatMap(({ text }) => [...text.matchAll(pattern)].map((m) => [m[1], Number(m[2])]));
}

/** Each consumer's lag (`kite_consumer_lag`: not yet acknowledged) from the services' metrics. */
const consumerLags = async () => (await labelled('kite_consumer_lag', 'consumer')).map(([consumer, lag]) => ({ consumer, lag }));


async function handlerLatencies() {
  const rows = [];
  for (const { service, text } of await servicesMetrics()) {
    const sums = new Map();
    for (const line of text.split('\n')) {
      const m = /^kite_handler_seconds_(sum|count)\{consumer="([^"]+)",outcome="ack"\} (\S+)/.exec(line);
      if (m) sums.set(`${m[2]}:${m[1]}`, Number(m[3]));
      const c = /^kite_handler_call_deliveries_(sum|count)\{consumer="([^"]+)"\} (\S+)/.exec(line);
      if (c) sums.set(`${c[2]}:calls-${c[1]}`, Number(c[3]));
    }
    for (const [key, count] of sums) {
      if (!key.endsWith(':count') || count === 0) continue;
      const consumer = key.slice(0, -':count'.length);
      const calls = sums.get(`${consumer}:calls-count`) ?? count;
      rows.push({ service, consumer, count, calls, meanMs: (1000 * sums.get(`${consumer}:sum`)) / count });
    }
  }
  return rows;
}

try {
  console.log(`${os.cpus().length} cores, Node ${process.version}; ${TENANTS} tenants x 4 numbers; payload ${payloadSize} bytes`);
  const raw = await rawBus(20_000);
  const floor = await roundTrips();
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
  const handlers = await handlerLatencies(); // before the replays restart the services
  const replays = [];
  for (let round = 1; round <= REPLAY_ROUNDS; round++) for (const service of REPLAYED) replays.push({ round, ...(await replay(service)) });
  const events = replays.length ? await eventsInConversationLogs(replays[0].entries) : 0;

  console.log(`\nraw bus (same NATS, ${payloadSize}-byte payload, acked): publish ${raw.publishRate.toFixed(0)}/s, consume ${raw.consumeRate.toFixed(0)}/s`);
  console.log(`round trips, idle, p50: PostgreSQL query ${floor.query.toFixed(2)} ms, transaction with one insert ${floor.commit.toFixed(2)} ms, acknowledged publish ${floor.publish.toFixed(2)} ms`);
  console.log(`process hop (two Node processes answering each other over a Unix socket), CPU of both per round trip: back to back ${hop.busy.cpuMicros.toFixed(0)} µs (${hop.busy.wallMicros.toFixed(0)} µs wall), woken after a 2 ms pause ${hop.woken.cpuMicros.toFixed(0)} µs`);
  const held = (s) => `${s.inbound.messages.toFixed(2)} inbound (${s.inbound.bytes.toFixed(0)} bytes), ${s.conversations.messages.toFixed(2)} log entries (${s.conversations.bytes.toFixed(0)}), ${s.outbound.messages.toFixed(2)} outbound events (${s.outbound.bytes.toFixed(0)})`;
  console.log(`\nbus floor: this system's NATS traffic and nothing else, through the same client code; the log consumed three times (bench/bus-floor.mjs)`);
  console.log(`  stored per inbound message: ${held(busOnly.stored)}; the system's phases: ${held(stored)}`);
  console.log(`  ${'phase'.padEnd(8)}${'inbound'.padStart(8)}${'handled/s'.padStart(11)}${'appended p50/p99 ms'.padStart(22)}${'members p50/p99 ms'.padStart(21)}${'CPU ms: NATS'.padStart(14)}${'clients'.padStart(9)}${'cores busy'.padStart(12)}   deliveries per handler call`);
  for (const r of busOnly.runs) {
    const spent = (group) => ((1000 * (r.cpu[group] ?? 0)) / r.messages).toFixed(2);
    const perCall = Object.entries(r.calls).sort().map(([durable, c]) => `${durable.replace('floor-', '')} ${(c.deliveries / c.calls).toFixed(1)}`).join(', ');
    const { appended: a, members: m } = r.latency;
    console.log(
      `  ${r.name.padEnd(8)}${String(r.messages).padStart(8)}${r.handled.toFixed(0).padStart(11)}${`${pct(a, 50).toFixed(0)}/${pct(a, 99).toFixed(0)}`.padStart(22)}${`${pct(m, 50).toFixed(0)}/${pct(m, 99).toFixed(0)}`.padStart(21)}${spent('nats-server').padStart(14)}${spent('bench').padStart(9)}${((r.cpu['nats-server'] + r.cpu.bench) / r.seconds).toFixed(2).padStart(12)}   ${perCall}`,
    );
  }
  const floorRate = (name) => busOnly.runs.find((f) => f.name === name)?.handled ?? NaN;
  console.log(`\n${'phase'.padEnd(8)}${'sent'.padStart(8)}${'offered/s'.padStart(11)}${'handled/s'.padStart(11)}${'ratio to bus'.padStart(14)}${'to floor'.padStart(10)}${'appended p50/p99 ms'.padStart(22)}${'members p50/p99 ms'.padStart(21)}${'lost'.padStart(7)}${'dup'.padStart(6)}`);
  for (const r of results) {
    const a = r.latency.appended.sort((x, y) => x - y);
    const m = r.latency.members.sort((x, y) => x - y);
    const handled = r.sent / r.drainedSeconds;
    const dup = [...r.seen.values()].filter((n) => n > 1).length + Object.keys(r.expected).reduce((n, type) => n + Math.max(0, r.got[type] - r.expected[type]), 0);
    const lost = Object.keys(r.expected).reduce((n, type) => n + Math.max(0, r.expected[type] - r.got[type]), 0);
    console.log(
      `${r.name.padEnd(8)}${String(r.sent).padStart(8)}${(r.sent / r.publishSeconds).toFixed(0).padStart(11)}${handled.toFixed(0).padStart(11)}${`${(handled / raw.publishRate).toFixed(3)}x`.padStart(14)}${(Number.isNaN(floorRate(r.name)) ? '-' : `${(handled / floorRate(r.name)).toFixed(2)}x`).padStart(10)}${`${pct(a, 50)}/${pct(a, 99)}`.padStart(22)}${`${pct(m, 50)}/${pct(m, 99)}`.padStart(21)}${String(lost).padStart(7)}${String(dup).padStart(6)}`,
    );
  }
  for (const r of results) {
    const missing = Object.keys(r.expected).filter((type) => r.got[type] !== r.expected[type]).map((type) => `${type} ${r.got[type]}/${r.expected[type]}`);
    if (missing.length) console.log(`  ${r.name}: effects seen/expected where they differ: ${missing.join(', ')}`);
  }
  for (const r of results.filter((r) => r.publishSeconds >= 2 * MINUTE_S)) {
    // Sustained means every minute keeps up: as many appended as sent, latency not growing.
    console.log(`\n${r.name} minute by minute (contact messages sent in the minute; ContactMessageAppended seen in the minute; latency of those sent in it):`);
    console.log(`  ${'minute'.padEnd(8)}${'sent/s'.padStart(8)}${'appended/s'.padStart(12)}${'p50/p99 ms'.padStart(16)}`);
    const minutes = Math.round(r.publishSeconds / MINUTE_S);
    for (let minute = 0; minute < minutes; minute++) {
      const from = r.started + minute * MINUTE_S * 1000;
      const to = from + MINUTE_S * 1000;
      const sent = r.appendedAt.filter((x) => x.sent >= from && x.sent < to).map((x) => x.at - x.sent).sort((x, y) => x - y);
      const appended = r.appendedAt.filter((x) => x.at >= from && x.at < to).length;
      console.log(`  ${String(minute + 1).padEnd(8)}${(sent.length / MINUTE_S).toFixed(0).padStart(8)}${(appended / MINUTE_S).toFixed(0).padStart(12)}${`${pct(sent, 50)}/${pct(sent, 99)}`.padStart(16)}`);
    }
    const after = r.started + minutes * MINUTE_S * 1000;
    console.log(`  then ${r.appendedAt.filter((x) => x.at >= after).length} appended in the ${(r.drainedSeconds - minutes * MINUTE_S).toFixed(1)} s to the phase's last effect`);
  }
  console.log(`\nconsumer lag when the phase stopped publishing (messages not yet acknowledged):`);
  for (const r of results) console.log(`  ${r.name.padEnd(8)}${r.lagAtEnd.filter((l) => l.lag > 0).sort((a, b) => b.lag - a.lag).map((l) => `${l.consumer} ${l.lag}`).join(', ') || 'none'}`);
  console.log(`\nCPU per inbound message, ms (time on CPU of every thread, from /proc, publish to drained; ${os.cpus().length} cores):`);
  const groups = [...new Set(results.flatMap((r) => Object.keys(r.cpu)))].sort();
  console.log(`  ${'phase'.padEnd(8)}${groups.map((g) => g.padStart(18)).join('')}${'total'.padStart(9)}${'system'.padStart(9)}${'cores busy'.padStart(12)}`);
  for (const r of results) {
    const total = Object.values(r.cpu).reduce((a, b) => a + b, 0);
    // The system is all but the load generator (`bench`), which plays the gateway and the chat platform.
    const system = total - (r.cpu.bench ?? 0);
    console.log(`  ${r.name.padEnd(8)}${groups.map((g) => ((1000 * (r.cpu[g] ?? 0)) / r.sent).toFixed(2).padStart(18)).join('')}${((1000 * total) / r.sent).toFixed(2).padStart(9)}${((1000 * system) / r.sent).toFixed(2).padStart(9)}${(total / r.drainedSeconds).toFixed(2).padStart(12)}`);
  }
  console.log(`\ncontext switches per inbound message (every thread: each is a wake-up or a preemption):`);
  console.log(`  ${'phase'.padEnd(8)}${groups.map((g) => g.padStart(18)).join('')}${'total'.padStart(9)}`);
  for (const r of results) {
    const total = Object.values(r.switches).reduce((a, b) => a + b, 0);
    console.log(`  ${r.name.padEnd(8)}${groups.map((g) => ((r.switches[g] ?? 0) / r.sent).toFixed(1).padStart(18)).join('')}${(total / r.sent).toFixed(1).padStart(9)}`);
  }
  console.log('');
  for (const [when, measured] of [['before the phases', idleFresh], ['after the phases', idle]]) {
    const total = Object.values(measured.spent).reduce((a, b) => a + b, 0);
    const groups = Object.entries(measured.spent).sort((a, b) => b[1] - a[1]).map(([group, s]) => `${group} ${((1000 * s) / measured.seconds).toFixed(1)}`).join(', ');
    console.log(`idle ${when} (no traffic, ${measured.timers} timers pending, ${measured.seconds} s): ${((1000 * total) / measured.seconds).toFixed(1)} ms of CPU per second in all (${groups})`);
  }
  const deadLetters = (await jsm.streams.info(STREAMS.deadLetters.name)).state.messages;
  console.log(`dead letters: ${deadLetters}`);
  if (deadLetters > 0) {
    const reasons = new Map();
    const letters = await (await js.consumers.get(STREAMS.deadLetters.name, { deliver_policy: DeliverPolicy.All })).consume();
    for await (const m of letters) {
      const { consumer, reason } = JSON.parse(new TextDecoder().decode(m.data));
      const key = `${consumer}: ${reason.slice(0, 160)}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
      if (m.info.pending === 0) break;
    }
    await letters.close();
    for (const [reason, count] of reasons) console.log(`  ${count} × ${reason}`);
  }
  console.log(`\nreplay (rebuild from KITE_CONV: ${replays[0]?.entries ?? 0} entries holding ${events} events, ${(events / (replays[0]?.entries || 1)).toFixed(2)} per entry):`);
  const rounds = (r) => (REPLAY_ROUNDS > 1 ? `round ${r.round}: ` : '');
  for (const r of replays) {
    const perEntry = events / r.entries;
    console.log(`  ${r.service.padEnd(18)} ${rounds(r)}in ${r.seconds.toFixed(1)} s from process start: ${r.rate.toFixed(0)} entries/s (${(r.rate * perEntry).toFixed(0)} events/s); from the first entry applied: ${r.applyRate.toFixed(0)} entries/s (${(r.applyRate * perEntry).toFixed(0)} events/s)`);
  }
  for (const r of replays) console.log(`  ${r.service.padEnd(18)} ${rounds(r)}cores busy while applying: ${r.busy}`);
  if (REPLAY_ROUNDS > 1) {
    const median = (values) => values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
    for (const service of REPLAYED) {
      const mine = replays.filter((r) => r.service === service);
      const perEntry = events / mine[0].entries;
      console.log(`  ${service.padEnd(18)} median of ${mine.length}: ${(median(mine.map((r) => r.rate)) * perEntry).toFixed(0)} events/s from process start, ${(median(mine.map((r) => r.applyRate)) * perEntry).toFixed(0)} from the first entry applied`);
    }
  }
  console.log(`\nhandler calls per consumer (a batch is one call and at most one transaction; mean time of the call that settled a delivery):`);
  for (const h of handlers.sort((a, b) => b.meanMs - a.meanMs)) {
    console.log(`  ${h.consumer.padEnd(36)} ${h.meanMs.toFixed(2).padStart(8)} ms  ${String(h.count).padStart(7)} deliveries in ${String(h.calls).padStart(6)} calls (${(h.count / h.calls).toFixed(1)} per call)`);
  }
} finally {
  await system.stop();
  await pgServer.stop();
}
