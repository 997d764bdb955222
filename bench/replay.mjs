// The replays of the end-to-end benchmark: a service's read model rebuilt from the streams, timed.
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { STREAMS } from '@kite/contracts';
import { streamLastSequence } from '@kite/messaging';
import pg from 'pg';
import { processUsage, spentBetween } from './cpu.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Rebuilds a service's read model by replay: its schema dropped, its processors read the streams
 * again from the beginning. Timed from the process start (boot and migrations included) and from
 * its first applied entry (its conversations processor's first checkpoint moved) to the moment it
 * answers ready, which a rebuilding service does only once it has caught up.
 */
export async function replay(system, service) {
  const schema = { 'routing-service': 'routing', 'linking-service': 'linking', 'action-scheduler': 'scheduler' }[service];
  const entries = await streamLastSequence(system.nc, STREAMS.conversations.name);
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
export async function eventsInConversationLogs(system, lastSeq) {
  const consumer = await jetstream(system.nc).consumers.get(STREAMS.conversations.name, { deliver_policy: DeliverPolicy.All });
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
