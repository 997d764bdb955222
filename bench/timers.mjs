// Durable timers, side by side on the same PostgreSQL: Kite's timer store and pg-boss delayed jobs.
// `npm run bench:timers` (BENCH_TIMERS=1000000 for a million pending; DATABASE_URL to use a server
// of yours, else an embedded PostgreSQL in a temporary directory). Prints a table and the ratios.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { ensureDatabase, freePort, startEmbeddedPostgres } from '@kite/local-infra';
import { armTimers, cancelTimers } from '../dist/apps/action-scheduler/timers/timer-store.js';
import { TimerLoop } from '../dist/apps/action-scheduler/timers/timer-loop.js';

const N = Number(process.env.BENCH_TIMERS ?? 200_000);
const FIRE_RATE = Number(process.env.BENCH_FIRE_RATE ?? 1_000);
const FIRE_SECONDS = Number(process.env.BENCH_FIRE_SECONDS ?? 10);
const BATCH = 5_000;
const HOUR = 3_600_000;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function server() {
  if (process.env.DATABASE_URL) return { adminUrl: process.env.DATABASE_URL, stop: async () => {} };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kite-bench-pg-'));
  fs.chmodSync(dir, 0o777);
  const pgServer = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await freePort() });
  return { adminUrl: pgServer.adminUrl, stop: async () => { await pgServer.stop(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

async function database(adminUrl, name) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  await ensureDatabase(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function timed(work) {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/** Arms `count` timers spread over the fire window and waits until all fired; returns lags in ms. */
async function fireWindow(arm, fired, count) {
  const start = Date.now() + 1_000;
  const due = Array.from({ length: count }, (_, i) => start + Math.floor((i * 1000) / FIRE_RATE));
  await arm(due);
  const deadline = start + FIRE_SECONDS * 1000 + 30_000;
  while (fired.length < count && Date.now() < deadline) await sleep(50);
  return fired.map((f) => f.firedAt - f.dueAt).sort((a, b) => a - b);
}

async function kite(url) {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', (e) => console.error(`kite pool: ${e.message}`));
  await pool.query(`CREATE TABLE timers (conversation_id text NOT NULL, action_id text NOT NULL, tenant text NOT NULL, due_at timestamptz NOT NULL, PRIMARY KEY (conversation_id, action_id))`);
  await pool.query(`CREATE INDEX timers_by_due ON timers (due_at)`);
  const far = Date.now() + HOUR;
  const keys = Array.from({ length: N }, (_, i) => ({ conversationId: `c${i}`, actionId: 'a1', tenant: 'bench', dueAt: far + i }));
  const armSeconds = await timed(async () => {
    for (let i = 0; i < N; i += BATCH) await armTimers(pool, keys.slice(i, i + BATCH));
  });
  const half = keys.filter((_, i) => i % 2 === 0);
  const cancelSeconds = await timed(async () => {
    for (let i = 0; i < half.length; i += BATCH) await cancelTimers(pool, half.slice(i, i + BATCH));
  });
  const fired = [];
  const transaction = async (work) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // The store reads rows the way TypeORM's EntityManager answers them.
      const result = await work({ query: async (sql, params) => (await client.query(sql, params)).rows });
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    } finally {
      client.release();
    }
  };
  const loop = new TimerLoop({
    transaction,
    fire: async (tx, timer, now) => {
      await tx.query('DELETE FROM timers WHERE conversation_id = $1 AND action_id = $2', [timer.conversationId, timer.actionId]);
      fired.push({ dueAt: timer.dueAt, firedAt: now });
    },
  });
  loop.start();
  const count = FIRE_RATE * FIRE_SECONDS;
  const lags = await fireWindow(async (due) => {
    const timers = due.map((dueAt, i) => ({ conversationId: `f${i}`, actionId: 'a1', tenant: 'bench', dueAt }));
    for (let i = 0; i < timers.length; i += BATCH) await armTimers(pool, timers.slice(i, i + BATCH));
    loop.wake(due[0]);
  }, fired, count);
  // Recovery: the loop is down while 1,000 timers fall due; how long after it starts are they all fired?
  await loop.stop();
  fired.length = 0;
  const dueSoon = Date.now() + 300;
  await armTimers(pool, Array.from({ length: 1_000 }, (_, i) => ({ conversationId: `r${i}`, actionId: 'a1', tenant: 'bench', dueAt: dueSoon })));
  await sleep(1_500);
  const restarted = Date.now();
  loop.start();
  while (fired.length < 1_000) await sleep(10);
  const recoverySeconds = (Date.now() - restarted) / 1000;
  await loop.stop();
  const size = (await pool.query(`SELECT pg_total_relation_size('timers') AS n, (SELECT count(*) FROM timers)::int AS pending`)).rows[0];
  await pool.end();
  return { armRate: N / armSeconds, cancelRate: half.length / cancelSeconds, lags, recoverySeconds, tableBytes: Number(size.n), pending: size.pending };
}

async function pgboss(url) {
  const boss = new PgBoss({ connectionString: url, max: 4 });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue('timers');
  await boss.createQueue('fire');
  const far = Date.now() + HOUR;
  const ids = Array.from({ length: N }, () => randomUUID());
  const armSeconds = await timed(async () => {
    for (let i = 0; i < N; i += BATCH) await boss.insert('timers', ids.slice(i, i + BATCH).map((id, j) => ({ id, data: { i: i + j }, startAfter: new Date(far + i + j) })));
  });
  const half = ids.filter((_, i) => i % 2 === 0);
  const cancelSeconds = await timed(async () => {
    for (let i = 0; i < half.length; i += BATCH) await boss.cancel('timers', half.slice(i, i + BATCH));
  });
  const fired = [];
  const work = () => boss.work('fire', { batchSize: 200, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    const now = Date.now();
    for (const job of jobs) fired.push({ dueAt: job.data.dueAt, firedAt: now });
  });
  await work();
  const count = FIRE_RATE * FIRE_SECONDS;
  const lags = await fireWindow(async (due) => {
    for (let i = 0; i < due.length; i += BATCH) await boss.insert('fire', due.slice(i, i + BATCH).map((dueAt) => ({ data: { dueAt }, startAfter: new Date(dueAt) })));
  }, fired, count);
  await boss.offWork('fire');
  fired.length = 0;
  const dueSoon = Date.now() + 300;
  await boss.insert('fire', Array.from({ length: 1_000 }, () => ({ data: { dueAt: dueSoon }, startAfter: new Date(dueSoon) })));
  await sleep(1_500);
  const restarted = Date.now();
  await work();
  while (fired.length < 1_000 && Date.now() - restarted < 60_000) await sleep(10);
  const recoverySeconds = (Date.now() - restarted) / 1000;
  await boss.offWork('fire');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const size = (await client.query(`SELECT sum(pg_total_relation_size(c.oid))::bigint AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'pgboss' AND c.relkind = 'r'`)).rows[0];
  const pending = (await client.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'timers' AND state = 'created'`)).rows[0];
  await client.end();
  await boss.stop({ graceful: false, wait: false }).catch(() => {});
  return { armRate: N / armSeconds, cancelRate: half.length / cancelSeconds, lags, recoverySeconds, tableBytes: Number(size.n), pending: pending.n };
}

const db = await server();
try {
  console.log(`${os.cpus().length} cores, Node ${process.version}; ${N.toLocaleString('en')} timers armed, half cancelled; ${FIRE_RATE}/s fired for ${FIRE_SECONDS} s`);
  const k = await kite(await database(db.adminUrl, 'bench_kite'));
  const rssKite = process.memoryUsage().rss;
  const b = await pgboss(await database(db.adminUrl, 'bench_pgboss'));
  const rows = [
    ['pending held', k.pending, b.pending, ''],
    ['arm per second', k.armRate, b.armRate, 'higher'],
    ['cancel per second', k.cancelRate, b.cancelRate, 'higher'],
    ['fire lag p50 ms', percentile(k.lags, 50), percentile(b.lags, 50), 'lower'],
    ['fire lag p95 ms', percentile(k.lags, 95), percentile(b.lags, 95), 'lower'],
    ['fire lag p99 ms', percentile(k.lags, 99), percentile(b.lags, 99), 'lower'],
    ['fire lag max ms', k.lags.at(-1), b.lags.at(-1), 'lower'],
    ['fire lag min ms (never < 0)', k.lags[0], b.lags[0], ''],
    ['fired', k.lags.length, b.lags.length, ''],
    ['recovery: all due fired after restart, s', k.recoverySeconds, b.recoverySeconds, 'lower'],
    ['tables on disk, MB', k.tableBytes / 1048576, b.tableBytes / 1048576, 'lower'],
  ];
  const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en') : v.toFixed(1)) : String(v));
  console.log(`${'figure'.padEnd(42)}${'kite'.padStart(14)}${'pg-boss'.padStart(14)}${'kite ahead by'.padStart(16)}`);
  for (const [name, kv, bv, better] of rows) {
    const ratio = better === 'higher' ? kv / bv : better === 'lower' ? bv / Math.max(kv, 0.001) : undefined;
    console.log(`${name.padEnd(42)}${fmt(kv).padStart(14)}${fmt(bv).padStart(14)}${(ratio === undefined ? '' : `${ratio.toFixed(1)}x`).padStart(16)}`);
  }
  console.log(`bench process RSS after kite: ${mb(rssKite)}, after pg-boss: ${mb(process.memoryUsage().rss)}`);
} finally {
  await db.stop();
}
