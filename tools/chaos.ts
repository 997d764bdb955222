/**
 * `npm run chaos`: the system's worst day, on this machine. Under a steady load of new contacts on a
 * number with a timed action (no reply in 5 s → the bot writes), it in turn kills -9 every service
 * (and starts it again, as an orchestrator would), restarts NATS, terminates every PostgreSQL
 * connection and restarts PostgreSQL. Then it reads every effect from `KITE_OUT` and counts, for the
 * contacts written to around each fault, what was expected, lost and doubled, with the time back to
 * ready and whether readiness said 503 meanwhile. Exits 1 unless every fault lost and doubled nothing.
 *
 * CHAOS_RATE (new contacts per second, 10), CHAOS_SECONDS (load before and after each fault, 5),
 * CHAOS_DOWN_SECONDS (how long NATS and PostgreSQL stay down, 60: a minute). CI runs a short profile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import pg from 'pg';
import { makeEvent, STREAMS, subjects, type AnyEnvelope } from '@kite/contracts';
import { ensureDatabase, freePort, SERVICE_NAMES, startEmbeddedPostgres, type RunningPostgres, type ServiceName } from '@kite/local-infra';
import { TestSystem } from '@kite/testing';

const RATE = Number(process.env.CHAOS_RATE ?? 10);
const SECONDS = Number(process.env.CHAOS_SECONDS ?? 5);
const DOWN_SECONDS = Number(process.env.CHAOS_DOWN_SECONDS ?? 60);
const NUMBER = '+15550000001';
const TENANT = 'acme';
/** What one new contact's single message must lead to, each exactly once: linked, routed to the group, and, unanswered, the action's timer, the bot added and its message leaving. */
const reasonIs = (reason: string) => (e: AnyEnvelope) => e.type === 'MembersAdded' && (e.data as { reason: string }).reason === reason;
const typeIs = (type: string) => (e: AnyEnvelope) => e.type === type;
const EFFECTS = [typeIs('ContactMessageAppended'), typeIs('ConversationCreated'), reasonIs('routing'), typeIs('TimerFired'), reasonIs('action'), typeIs('BotMessageRequested'), typeIs('OutboundMessageRequested')];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const say = (line: string) => console.log(`[chaos] ${line}`);

interface Fault {
  name: string;
  /** Breaks something; resolves when the system was given back what it needs (the time from then to ready is the recovery). */
  inject(): Promise<void>;
  /** An outage: readiness must answer 503 during it. */
  outage: boolean;
}

interface Row {
  fault: string;
  recoverySeconds: number;
  saw503: boolean;
  outage: boolean;
  contacts: string[];
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kite-chaos-'));
fs.chmodSync(dir, 0o755); // as root, PostgreSQL's own user reaches it
const pgPort = await freePort();
let postgres: RunningPostgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: pgPort });
const startPostgres = async () => (postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: pgPort }));
await ensureDatabase(postgres.adminUrl, 'kite');
const system = await TestSystem.start({ database: { url: postgres.urlFor('kite'), drop: async () => undefined }, collect: false });

async function configure(): Promise<void> {
  const ok = (r: { status: number; body: unknown }) => {
    if (r.status !== 200) throw new Error(`configuration refused: ${r.status} ${JSON.stringify(r.body)}`);
  };
  ok(await system.api(TENANT, 'PUT', '/v1/directory', { numbers: [{ number: NUMBER, channels: ['sms'] }], services: [{ id: 'svc', name: 'Sales', agentIds: ['ag-1'], dialplan: {} }], agents: [{ id: 'ag-1', name: 'Ana' }], bots: [{ id: 'bot-1', name: 'Bot' }] }));
  const action = { id: 'greet', onlyOnce: true, conditions: [{ type: 'no_reply', afterSeconds: 5 }], task: { type: 'send_message', botId: 'bot-1', text: 'We will get back to you.' } };
  ok(await system.api(TENANT, 'PUT', `/v1/numbers/${encodeURIComponent(NUMBER)}`, { linkedServiceId: 'svc', workingHours: { routing: { type: 'group', serviceId: 'svc' }, schedule: { timeZone: 'UTC', rules: [] }, actions: [action] } }));
  await system.untilConfigApplied(30_000);
}

/** The gateway: one message from a new contact, published until NATS acknowledges it (same id: never twice). */
let contactCount = 0;
async function newContact(): Promise<string> {
  const contact = `+1555${String(7_000_000 + contactCount++).padStart(7, '0')}`;
  const event = makeEvent('MessageReceived', TENANT, { messageId: `chaos-${contact}`, channel: 'sms', from: contact, to: NUMBER, text: 'anyone there?', receivedAt: new Date().toISOString() });
  for (;;) {
    try {
      await system.publish(subjects.inbound(TENANT, 'MessageReceived'), event);
      return contact;
    } catch {
      await sleep(200);
    }
  }
}

/** New contacts at RATE per second until `until` resolves. */
async function load(contacts: string[], until: Promise<unknown>): Promise<void> {
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const started = performance.now();
    contacts.push(await newContact());
    await sleep(Math.max(0, 1000 / RATE - (performance.now() - started)));
  }
}

const readiness = () => Promise.all(SERVICE_NAMES.map(async (name) => (await fetch(`http://127.0.0.1:${system.ports[name]}/health/ready`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined))?.status ?? 0));

async function untilReady(): Promise<void> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(100)) if ((await readiness()).every((s) => s === 200)) return;
  throw new Error('not ready again within 120 s');
}

async function terminateConnections(): Promise<void> {
  const admin = new pg.Client({ connectionString: postgres.adminUrl });
  await admin.connect();
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'kite' AND pid <> pg_backend_pid()`);
  await admin.end();
}

const faults: Fault[] = [
  ...SERVICE_NAMES.map((name: ServiceName) => ({
    name: `kill -9 ${name}`,
    outage: false,
    async inject() {
      await system.stopService(name, 'SIGKILL');
      void system.startService(name).catch(() => undefined);
    },
  })),
  { name: `restart NATS (down ${DOWN_SECONDS} s)`, outage: true, inject: async () => (await system.stopNats(), await sleep(DOWN_SECONDS * 1000), await system.startNats()) },
  { name: 'terminate every PostgreSQL connection', outage: false, inject: terminateConnections },
  { name: `restart PostgreSQL (down ${DOWN_SECONDS} s)`, outage: true, inject: async () => (await postgres.stop(), await sleep(DOWN_SECONDS * 1000), await startPostgres(), undefined) },
];

async function run(fault: Fault): Promise<Row> {
  const contacts: string[] = [];
  let saw503 = false;
  let watching = true;
  const watch = (async () => {
    while (watching) {
      if ((await readiness()).some((s) => s === 503)) saw503 = true;
      await sleep(100);
    }
  })();
  let recovered!: () => void;
  const loading = load(contacts, new Promise<void>((r) => (recovered = r)));
  await sleep(SECONDS * 1000);
  say(`${fault.name}`);
  await fault.inject();
  const back = performance.now();
  await untilReady();
  const recoverySeconds = (performance.now() - back) / 1000;
  await sleep(SECONDS * 1000);
  recovered();
  await loading;
  watching = false;
  await watch;
  return { fault: fault.name, recoverySeconds, saw503, outage: fault.outage, contacts };
}

/** Every event in `KITE_OUT`, each stored once (a republish under the same id is dropped by the stream). */
async function outbound(): Promise<AnyEnvelope[]> {
  const consumer = await jetstream(system.nc).consumers.get(STREAMS.outbound.name);
  const events: AnyEnvelope[] = [];
  for (;;) {
    const batch = await consumer.fetch({ max_messages: 1_000, expires: 2_000 });
    let got = 0;
    for await (const m of batch) {
      events.push(m.json<AnyEnvelope>());
      got++;
    }
    if (got === 0) return events;
  }
}

function tally(rows: Row[], events: AnyEnvelope[]): { fault: string; recovery: string; saw503: string; expected: number; lost: number; doubled: number }[] {
  const byContact = new Map<string, AnyEnvelope[]>();
  const conversationContact = new Map<string, string>();
  for (const e of events) if (e.type === 'ConversationCreated') conversationContact.set((e.data as { conversationId: string }).conversationId, (e.data as { contact: string }).contact);
  for (const e of events) {
    const data = e.data as { conversationId?: string; contact?: string };
    const contact = data.contact ?? conversationContact.get(data.conversationId ?? '');
    if (contact) byContact.set(contact, [...(byContact.get(contact) ?? []), e]);
  }
  return rows.map((row) => {
    let lost = 0;
    let doubled = 0;
    for (const contact of row.contacts) {
      const seen = byContact.get(contact) ?? [];
      for (const effect of EFFECTS) {
        const n = seen.filter(effect).length;
        if (n === 0) lost++;
        if (n > 1) doubled += n - 1;
      }
    }
    return { fault: row.fault, recovery: `${row.recoverySeconds.toFixed(1)} s`, saw503: row.outage ? (row.saw503 ? 'yes' : 'NO') : row.saw503 ? 'yes' : '-', expected: row.contacts.length * EFFECTS.length, lost, doubled };
  });
}

let code = 1;
try {
  await configure();
  say(`${RATE} new contacts a second, ${SECONDS} s before and after each fault; each must be linked, routed, and answered by its timed action, once`);
  const rows: Row[] = [];
  for (const fault of faults) rows.push(await run(fault));
  const contacts = rows.reduce((n, r) => n + r.contacts.length, 0);
  say(`waiting for the last timers (due 5 s after the last message) and every effect of ${contacts} contacts`);
  let table = tally(rows, []);
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(2_000)) {
    table = tally(rows, await outbound());
    if (table.every((r) => r.lost === 0)) break;
  }
  await sleep(3_000); // anything published twice late is counted too
  table = tally(rows, await outbound());
  console.table(table);
  const outages = table.filter((_, i) => rows[i]!.outage);
  code = table.every((r) => r.lost === 0 && r.doubled === 0) && outages.every((r) => r.saw503 === 'yes') ? 0 : 1;
  say(code === 0 ? 'every effect exactly once; readiness said 503 during every outage' : 'FAILED: see the table');
} catch (e) {
  say(`FAILED: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  if (code !== 0) for (const name of SERVICE_NAMES) say(`the last ${name} wrote:\n${system.lastLines(name)}`);
  await system.stop();
  await postgres.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
