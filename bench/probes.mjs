// What the end-to-end benchmark reads beside its phases: the raw bus and the idle round trips on the
// same servers (they tell how fast the hour is), and the services' own metrics.
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { STREAMS } from '@kite/contracts';
import pg from 'pg';

/** The p-th percentile of sorted values. */
export const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

/** The median of values (the lower of the middle two). */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

/** The raw bus: publish with acks and consume with acks, same payload size, on the same server. */
export async function rawBus({ js, jsm }, count, payloadSize) {
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
export async function roundTrips({ system, js, jsm }, payloadSize) {
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

/** Every service's metrics, as Prometheus text. */
export const servicesMetrics = (system) => Promise.all(Object.entries(system.ports).map(async ([service, port]) => ({ service, text: await (await fetch(`http://127.0.0.1:${port}/metrics`)).text() })));

/** The value of a one-label metric in every service's metrics: [label value, value] pairs. */
async function labelled(system, name, label) {
  const pattern = new RegExp(`^${name}\\{${label}="([^"]+)"\\} (\\S+)$`, 'gm');
  return (await servicesMetrics(system)).flatMap(({ text }) => [...text.matchAll(pattern)].map((m) => [m[1], Number(m[2])]));
}

/** Each consumer's lag (`kite_consumer_lag`: not yet acknowledged) from the services' metrics. */
export const consumerLags = async (system) => (await labelled(system, 'kite_consumer_lag', 'consumer')).map(([consumer, lag]) => ({ consumer, lag }));


/** Each consumer's handler calls since its service started: deliveries, calls and the mean time of the call that settled a delivery. */
export async function handlerLatencies(system) {
  const rows = [];
  for (const { service, text } of await servicesMetrics(system)) {
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

/** Timers the scheduler holds pending, from its metrics. */
export const pendingTimers = async (system) => Number(/^kite_timers_pending (\S+)/m.exec((await servicesMetrics(system)).map((m) => m.text).join('\n'))?.[1] ?? 0);

/** The dead letters after the phases: how many, and how many of each consumer and reason. */
export async function deadLetters({ js, jsm }) {
  const count = (await jsm.streams.info(STREAMS.deadLetters.name)).state.messages;
  const reasons = new Map();
  if (count === 0) return { count, reasons };
  const letters = await (await js.consumers.get(STREAMS.deadLetters.name, { deliver_policy: DeliverPolicy.All })).consume();
  for await (const m of letters) {
    const { consumer, reason } = JSON.parse(new TextDecoder().decode(m.data));
    const key = `${consumer}: ${reason.slice(0, 160)}`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
    if (m.info.pending === 0) break;
  }
  await letters.close();
  return { count, reasons };
}
