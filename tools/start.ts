/**
 * `npm start`: the whole system on one machine. Uses NATS_URL and DATABASE_URL when set; otherwise
 * starts its own NATS (JetStream) and PostgreSQL with their data under `.data/`, on ports away from
 * the standard ones. Prints one line containing `ready` once every service answers its readiness
 * check, and no other line contains the word: scripts wait for it (docs/contract.md). The services'
 * logs go to `.data/logs/`. Ctrl-C (SIGINT to the whole process group) or SIGTERM stops the
 * services, then the servers: every child runs in a process group of its own, so the order holds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensureDatabase, freePort, isPortOpen, SERVICE_NAMES, startEmbeddedPostgres, startNatsServer, startService, waitUntilReady, PORT_VARIABLES, type RunningService } from '@kite/local-infra';
import { clearRuntime, DATA_DIR, developmentSecret, ROOT, writeRuntime } from './runtime.js';

const DEFAULT_PORTS = { 'config-service': 8080, 'linking-service': 8081, 'routing-service': 8082, 'action-scheduler': 8083 } as const;
const LOG_DIR = path.join(DATA_DIR, 'logs');
const say = (line: string): void => console.log(`[kite] ${line}`);
/** A path as the user would type it from here: relative when inside this folder. */
const shown = (file: string) => (path.relative(process.cwd(), file).startsWith('..') ? file : path.relative(process.cwd(), file) || file);

/** What was started, stopped in two rounds: the services, then the servers they use. */
const services: RunningService[] = [];
const servers: (() => Promise<void>)[] = [];
/** Aborts a server's start under way: a stop while it starts leaves nothing running. */
const starting = new AbortController();
let stopping = false;
let started: Promise<void> = Promise.resolve();

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping');
    starting.abort();
    const settle = (stops: Promise<void>[]) => Promise.all(stops.map((s) => s.catch((e) => say(`while stopping: ${String(e)}`))));
    await settle(services.map((s) => s.stop()));
    await started.catch(() => undefined);
    await settle(servers.map((stop) => stop()));
    clearRuntime();
    say('stopped');
    process.exit(code);
  }
  return new Promise<never>(() => undefined);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
process.on('uncaughtException', (e) => {
  say(`unexpected error: ${e.message}`);
  void shutdown(1);
});

/** One part of the start; its failure is told as that part's. */
async function part<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message}`);
  }
}

async function portPreferring(preferred: number): Promise<number> {
  return (await isPortOpen(preferred)) ? freePort() : preferred;
}

async function startServers(): Promise<{ natsUrl: string; databaseUrl: string }> {
  let natsUrl = process.env.NATS_URL;
  if (!natsUrl) {
    say('starting NATS with JetStream');
    const nats = await part('NATS', async () => startNatsServer({ port: await portPreferring(14222), storeDir: path.join(DATA_DIR, 'nats'), logFile: path.join(LOG_DIR, 'nats-server.log'), log: say, ownGroup: true, signal: starting.signal }));
    servers.push(() => nats.stop());
    natsUrl = nats.url;
    say(`NATS on ${natsUrl} (data in ${shown(path.join(DATA_DIR, 'nats'))})`);
  }
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    say('starting PostgreSQL');
    const postgres = await part('PostgreSQL', async () => startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, 'postgres'), port: await portPreferring(15432), logFile: path.join(LOG_DIR, 'postgres.log'), log: say, ownGroup: true, signal: starting.signal }));
    servers.push(() => postgres.stop());
    await part('PostgreSQL', () => ensureDatabase(postgres.adminUrl, 'kite'));
    databaseUrl = postgres.urlFor('kite');
    say(`PostgreSQL on ${databaseUrl.replace(/:[^:@/]+@/, ':***@')} (data in ${shown(postgres.dataDir)})`);
  }
  return { natsUrl, databaseUrl };
}

async function start(): Promise<void> {
  // Checked before anything starts: a service that cannot listen exits, but only after the one
  // already there may have answered the readiness check for it.
  const servicePorts = SERVICE_NAMES.map((name) => ({ name, port: Number(process.env[PORT_VARIABLES[name]] ?? DEFAULT_PORTS[name]) }));
  for (const { name, port } of servicePorts) {
    if (await isPortOpen(port)) throw new Error(`port ${port} for ${name} is in use (is another Kite running?): stop what listens there, or set ${PORT_VARIABLES[name]} to a free port`);
  }
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const { natsUrl, databaseUrl } = await startServers();
  if (stopping) return;
  say(`starting the services; their logs: ${shown(LOG_DIR)}/<service>.log`);
  const auth = process.env.AUTH_JWT_PUBLIC_KEY ? {} : { AUTH_JWT_SECRET: developmentSecret() };
  for (const { name, port } of servicePorts) {
    const service = startService(ROOT, name, port, { NATS_URL: natsUrl, DATABASE_URL: databaseUrl, ...auth }, { file: path.join(LOG_DIR, `${name}.log`) }, true);
    services.push(service);
    void service.exited.then(async (code) => {
      // Before the ready line, the start reports it (the health check's wait ends with it).
      await started.catch(() => undefined);
      if (!stopping) {
        say(`${name} exited (${code}); its log: ${shown(path.join(LOG_DIR, `${name}.log`))}; stopping everything`);
        void shutdown(1);
      }
    });
  }
  // A service whose consumers are new (a rebuild, streams from an earlier run) answers only once
  // it has caught up on them: minutes for a long log, hence the long wait and the word meanwhile.
  const waiting = setInterval(() => say('waiting for the services to answer their health checks (a new consumer catches up on its stream first)'), 15_000);
  await Promise.all(services.map((s) => part(s.name, () => waitUntilReady(s.port, 15 * 60_000, s.exited)))).finally(() => clearInterval(waiting));
  const url = (name: (typeof SERVICE_NAMES)[number]) => `http://127.0.0.1:${services.find((s) => s.name === name)!.port}`;
  writeRuntime({ natsUrl, databaseUrl, configApiUrl: url('config-service'), pid: process.pid });
  say(`configuration API: ${url('config-service')} (its documentation: ${url('config-service')}/docs)`);
  say(`administrators' console: ${url('config-service')}/console/ (sign in with a token)`);
  say(`conversation API: ${url('linking-service')}/v1/conversations/{id}`);
  say('a token for them: npm run token -- --tenant acme --role admin');
  say('ready (Ctrl-C stops everything)');
}

started = start();
started.catch(async (e: unknown) => {
  // Stopped while starting: nothing failed.
  if (stopping) return;
  say(`could not start: ${(e as Error).message}`);
  await shutdown(1);
});
