// The bus floor: the NATS traffic the system makes per inbound message, with nothing else. Three
// stages on their own connections (worker threads, as the services are processes) move about as
// many messages of about the same sizes through streams set up like the system's, through the same
// client code (`StreamReader`, `BurstReader`, `EventLog`, `AckedPublisher`), with no PostgreSQL and no rules:
// "linking" reads the inbound messages and records one decision per message (its public events on
// the outbound stream, then the entry in the conversation log); "routing" reads the log and answers
// some entries with a decision of its own, recorded the same way; "the scheduler" reads the log. The load generator publishes the inbound messages and reads the
// outbound stream. What this costs, and how long an inbound message takes to come out, is what the
// bus alone allows on this machine, so the system's figures can be set beside it in one run. The
// `outbound` shape leaves the log out, to measure a design without it (bench/floor-shapes.mjs).
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { jetstream, jetstreamManager, DeliverPolicy } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { AckedPublisher, EventLog, openReader, provisionStreams, PULL_TIMING, STREAM_CONFIGS } from '@kite/messaging';
import { processUsage, spentBetween } from './cpu.mjs';

const STREAMS = { inbound: 'FLOOR_IN', conversations: 'FLOOR_CONV', outbound: 'FLOOR_OUT' };
const settingsOf = (kite, name, subject) => ({ ...STREAM_CONFIGS.find((c) => c.name === kite), name, subjects: [subject] });
const FLOOR_STREAMS = [settingsOf('KITE_IN', STREAMS.inbound, 'floor.in.>'), settingsOf('KITE_CONV', STREAMS.conversations, 'floor.conv.>'), settingsOf('KITE_OUT', STREAMS.outbound, 'floor.out.>')];

/**
 * The system's mix per inbound message, from its streams after a run of the end-to-end benchmark
 * (`KITE_IN` 1.18 messages of 445 bytes, `KITE_CONV` 1.56 entries of 790, `KITE_OUT` 2.04 events of
 * 561, subjects and headers included): a new conversation for 3 in 10, whose entry holds two events
 * and which routing answers; 18 in 100 bring a second inbound event (a reply, a read, a call) whose
 * entry holds two; routing also answers 8 in 100 of the rest. Sizes are of the JSON bodies.
 */
const MIX = { newConversation: 0.3, secondInbound: 0.18, routedOther: 0.08 };
const EVENT_BYTES = 404;
const INBOUND_BYTES = 327;
/** The readers off the path to an answer read in bursts, as the system's do: linking's view every 30 ms, the scheduler's activity every 50. */
const BURSTS = { projection: 30, scheduler: 50 };

const event = (id, type, tenant) => ({ id, type, tenant, occurredAt: new Date().toISOString(), data: { text: 'x'.repeat(EVENT_BYTES - 120) } });
const json = (value) => JSON.stringify(value);
const utf8 = new TextDecoder();
const parse = (data) => JSON.parse(utf8.decode(data));

/**
 * The shapes of the traffic: `log`, the system's (decisions on the outbound stream, then in the
 * conversation log, which the projection, routing and the scheduler read); `outbound`, a candidate
 * with no log (the decisions only on the outbound stream, which all three read).
 */
export const SHAPES = ['log', 'outbound'];

/** One stage of the pipeline, in a worker thread with its own connection. */
async function stage({ servers, role, shape }) {
  const nc = await connect({ servers });
  const log = await EventLog.open(nc, STREAMS.conversations);
  const publisher = AckedPublisher.of(nc);
  /** Handler calls and the deliveries they took, per consumer. */
  const calls = {};
  const observer = {
    settled: () => undefined,
    called: (durable, deliveries) => {
      const c = (calls[durable] ??= { calls: 0, deliveries: 0 });
      c.calls++;
      c.deliveries += deliveries;
    },
  };
  /** Reads a stream in order and hands what is waiting (up to 500) to `handle`, one call at a time, as the processors do. */
  const consumer = (name, stream, filterSubject, handle, burstEvery) => {
    let reader;
    let reading;
    return {
      async start() {
        reader = await openReader(nc, stream, filterSubject, 1, burstEvery);
        const waiting = [];
        let busy = false;
        const drain = async () => {
          busy = true;
          while (waiting.length) {
            const batch = waiting.splice(0, 500);
            await handle(batch);
            observer.called(`floor-${name}`, batch.length);
          }
          busy = false;
        };
        reading = (async () => {
          for await (const burst of reader.bursts()) {
            waiting.push(...burst);
            if (!busy) void drain();
          }
        })();
      },
      async stop() {
        await reader?.close();
        await reading;
      },
    };
  };
  /** A decision recorded as the system records it: public events on the outbound stream, then the entry in the log. */
  const record = async (decisions) => {
    await Promise.all(decisions.flatMap((d) => d.events.map((e) => publisher.publish(`floor.out.${e.tenant}.${e.type}`, json(e), { msgID: e.id }))));
    if (shape === 'log') await Promise.all(decisions.map((d) => log.append(d.subject, d.events)));
  };
  /** What the readers of the decisions read: the log's entries, or the outbound stream's events. */
  const decisions = shape === 'log' ? { stream: STREAMS.conversations, subjects: 'floor.conv.>', firstEvent: (d) => parse(d.data)[0] } : { stream: STREAMS.outbound, subjects: 'floor.out.>', firstEvent: (d) => parse(d.data) };
  const roles = {
    linking: () => [
      // The deciders: one decision per inbound message.
      consumer('inbound', STREAMS.inbound, 'floor.in.>', async (deliveries) => {
        await record(
          deliveries.map((d) => {
            const m = parse(d.data);
            const events = Array.from({ length: m.events }, (_, i) => event(`${m.id}-${i}`, i === 0 ? 'ContactMessageAppended' : 'ConversationCreated', m.tenant));
            events[0].route = m.route;
            return { subject: `floor.conv.${m.tenant}.${m.conversation}`, events };
          }),
        );
      }),
      // The projection, in the same process: reads the log.
      consumer('projection', decisions.stream, decisions.subjects, async () => undefined, BURSTS.projection),
    ],
    // Routing answers some entries with a decision of its own.
    routing: () => [
      consumer('routing', decisions.stream, decisions.subjects, async (deliveries) => {
        const answers = [];
        for (const d of deliveries) {
          const first = decisions.firstEvent(d);
          if (first.route) answers.push({ subject: d.subject, events: [event(`${first.id}-routed`, 'MembersAdded', first.tenant)] });
        }
        await record(answers);
      }),
    ],
    scheduler: () => [consumer('scheduler', decisions.stream, decisions.subjects, async () => undefined, BURSTS.scheduler)],
  };
  const runners = roles[role]();
  for (const runner of runners) await runner.start();
  parentPort.postMessage('ready');
  await new Promise((resolve) =>
    parentPort.on('message', (what) => {
      if (what === 'calls') parentPort.postMessage(calls);
      else resolve();
    }),
  );
  for (const runner of runners) await runner.stop();
  await nc.close();
  parentPort.close();
}

/**
 * Drives the pipeline: `messages` inbound messages at `rate` per second (0: as fast as a window of
 * 256 unacknowledged publishes allows), then waits until every outbound event came. Returns the
 * rate handled and the CPU each process group spent (this process holds the stages' threads).
 */
async function drive(nc, run, rate, messages) {
  const publisher = AckedPublisher.of(nc);
  const contacts = [];
  /** When each inbound message was published, by the ids of the events it leads to: its own (appended) and routing's (members). */
  const sentAt = new Map();
  const latency = { appended: [], members: [] };
  let expected = 0;
  let seen = 0;
  let publishing = true;
  let done;
  const drained = new Promise((resolve) => (done = resolve));
  const observer = await (await jetstream(nc).consumers.get(STREAMS.outbound, { deliver_policy: DeliverPolicy.New })).consume(PULL_TIMING);
  (async () => {
    for await (const m of observer) {
      const { id } = parse(m.data);
      const sent = sentAt.get(id);
      if (sent) {
        latency[sent.effect].push(performance.now() - sent.at);
        sentAt.delete(id);
      }
      if (++seen >= expected && publishing === false) done();
    }
  })();
  const before = processUsage();
  const started = performance.now();
  const inFlight = [];
  const publish = (tenant, conversation, id, events, route, created = false) => {
    expected += events + (route ? 1 : 0);
    const body = { id, tenant, conversation, events, route, created, text: '' };
    body.text = 'x'.repeat(Math.max(0, INBOUND_BYTES - json(body).length));
    inFlight.push(publisher.publish(`floor.in.${tenant}.MessageReceived`, json(body), { msgID: id }));
  };
  for (let i = 0; i < messages; i++) {
    const isNew = contacts.length === 0 || Math.random() < MIX.newConversation;
    if (isNew) contacts.push({ tenant: `tenant-${i % 5}`, conversation: `${run}-${contacts.length}` });
    const { tenant, conversation } = isNew ? contacts[contacts.length - 1] : contacts[Math.floor(Math.random() * contacts.length)];
    const id = `${run}-${i}`;
    const route = isNew || Math.random() < MIX.routedOther;
    const at = performance.now();
    sentAt.set(`${id}-0`, { at, effect: 'appended' });
    if (route) sentAt.set(`${id}-0-routed`, { at, effect: 'members' });
    publish(tenant, conversation, id, isNew ? 2 : 1, route, isNew);
    if (!isNew && Math.random() < MIX.secondInbound / (1 - MIX.newConversation)) publish(tenant, conversation, `${run}-${i}-b`, 2, false);
    if (inFlight.length >= 256) await Promise.all(inFlight.splice(0));
    if (rate > 0) {
      const ahead = started + (i * 1000) / rate - performance.now();
      if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
    }
  }
  await Promise.all(inFlight);
  publishing = false;
  if (seen >= expected) done();
  await Promise.race([drained, new Promise((r) => setTimeout(r, 120_000))]);
  const seconds = (performance.now() - started) / 1000;
  const cpu = spentBetween(before, processUsage());
  await observer.close();
  for (const list of Object.values(latency)) list.sort((a, b) => a - b);
  return { messages, handled: seen >= expected ? messages / seconds : NaN, seconds, cpu, latency };
}

/** What the streams hold per inbound message: messages, and their mean size in the stream (subject and headers included). */
export async function storedPerInbound(jsm, streams, inbound) {
  const held = async ([what, name]) => {
    const { messages, bytes } = (await jsm.streams.info(name)).state;
    return [what, { messages: messages / inbound, bytes: messages ? bytes / messages : 0 }];
  };
  return Object.fromEntries(await Promise.all(Object.entries(streams).map(held)));
}

/**
 * The bus floor on the NATS at `servers`, one run per phase: `messages` inbound messages at `rate`
 * per second (0: as fast as it goes), in one of the `SHAPES`. Creates its streams and deletes them afterwards.
 */
export async function busFloor(servers, phases, shape = 'log') {
  const nc = await connect({ servers });
  const jsm = await jetstreamManager(nc);
  // A run killed midway leaves its streams: start from empty ones.
  for (const name of Object.values(STREAMS)) await jsm.streams.delete(name).catch(() => undefined);
  await provisionStreams(nc, FLOOR_STREAMS);
  const workers = ['linking', 'routing', 'scheduler'].map((role) => new Worker(new URL(import.meta.url), { workerData: { servers, role, shape } }));
  try {
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once('message', resolve).once('error', reject))));
    const callsSoFar = async () => Object.assign({}, ...(await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve).postMessage('calls'))))));
    const runs = [];
    let before = await callsSoFar();
    for (const { name, rate, messages } of phases) {
      const run = { name, ...(await drive(nc, `${name.replace(/\W/g, '')}${Date.now()}`, rate, messages)) };
      const after = await callsSoFar();
      run.calls = Object.fromEntries(Object.entries(after).map(([durable, c]) => [durable, { calls: c.calls - (before[durable]?.calls ?? 0), deliveries: c.deliveries - (before[durable]?.deliveries ?? 0) }]));
      before = after;
      runs.push(run);
    }
    return { runs, stored: await storedPerInbound(jsm, STREAMS, runs.reduce((n, r) => n + r.messages, 0)) };
  } finally {
    for (const w of workers) w.postMessage('stop');
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
    for (const name of Object.values(STREAMS)) await jsm.streams.delete(name).catch(() => undefined);
    await nc.close();
  }
}

if (!isMainThread) await stage(workerData);
