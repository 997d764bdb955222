import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { SignJWT } from 'jose';
import type { AnyEnvelope } from '@kite/contracts';
import { configurationBehind, freePort, startNatsServer, startService, waitUntilReady, SERVICE_NAMES, type RunningNats, type RunningService, type ServiceName } from '@kite/local-infra';
import { connectNats, EventPublisher, streamLastSequence, type NatsConnection, type NatsCredentials } from '@kite/messaging';
import { STREAMS } from '@kite/contracts';
import { createTestDatabase } from './test-postgres.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The whole system for one test file, as the outside world sees it: its own NATS server (own
 * streams), its own database, the four services built in `dist/` as separate processes.
 */
export class TestSystem {
  readonly services = new Map<ServiceName, RunningService>();
  private readonly extras: RunningService[] = [];
  /**
   * The events published on `kite.out`, each once: a decision recorded again after a crash is published
   * again with the same id, which the stream drops but a plain subscriber sees; consumers drop repeats
   * by id (docs/contract.md), and so does this.
   */
  readonly outbound: AnyEnvelope[] = [];
  private readonly outboundIds = new Set<string>();
  /** Every publish seen on `kite.out`, repeats included. */
  outboundPublishes = 0;
  readonly deadLetters: { subject: string; body: { reason: string; payload?: string } }[] = [];
  private publisher!: EventPublisher;
  nc!: NatsConnection;
  /** The services' AUTH_JWT_SECRET: this system's own, so a token of one never opens another. */
  readonly secret = randomBytes(32).toString('base64url');
  /** Where the services' output goes, removed with the system. */
  private readonly logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kite-test-logs-'));

  private constructor(
    /** The NATS server of the system's own; none when the test brought its own NATS (`natsUrl`). */
    private running: RunningNats | undefined,
    readonly natsUrl: string,
    readonly databaseUrl: string,
    private readonly dropDatabase: () => Promise<void>,
    private readonly natsDir: string,
    readonly ports: Record<ServiceName, number>,
  ) {}

  /**
   * `database`: a database of the test's own (a server it stops and starts), instead of one in the
   * run's shared server. `nats`: a NATS of the test's own (a cluster, a server with users), which
   * the test stops; `credentials` are the test's own user on it.
   */
  static async start(
    options: { services?: readonly ServiceName[]; env?: Partial<Record<ServiceName, NodeJS.ProcessEnv>>; collect?: boolean; database?: { url: string; drop(): Promise<void> }; nats?: { url: string; credentials?: NatsCredentials } } = {},
  ): Promise<TestSystem> {
    const db = options.database ?? (await createTestDatabase());
    const natsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kite-test-nats-'));
    const nats = options.nats ? undefined : await startNatsServer({ port: await freePort(), storeDir: natsDir });
    const natsUrl = options.nats?.url ?? nats!.url;
    const ports = {} as Record<ServiceName, number>;
    for (const name of SERVICE_NAMES) ports[name] = await freePort();
    const system = new TestSystem(nats, natsUrl, db.url, db.drop, natsDir, ports);
    system.nc = await connectNats(natsUrl, 'kite-test', options.nats?.credentials);
    system.publisher = new EventPublisher(system.nc);
    if (options.collect !== false) system.nc.subscribe('kite.out.>', { callback: (_e, m) => system.collect(JSON.parse(new TextDecoder().decode(m.data)) as AnyEnvelope) });
    system.nc.subscribe('kite.dlq.>', { callback: (_e, m) => void system.deadLetters.push({ subject: m.subject, body: JSON.parse(new TextDecoder().decode(m.data)) }) });
    try {
      await Promise.all((options.services ?? SERVICE_NAMES).map((name) => system.startService(name, options.env?.[name])));
    } catch (e) {
      // The test never gets the system to stop: what it started goes now.
      await system.stop();
      throw e;
    }
    return system;
  }

  get nats(): RunningNats {
    if (!this.running) throw new Error('this system runs on a NATS of the test\'s own');
    return this.running;
  }

  /** Stops the NATS server (an outage); `startNats` brings it back on the same port and store. */
  async stopNats(): Promise<void> {
    await this.nats.stop();
  }

  async startNats(): Promise<void> {
    this.running = await startNatsServer({ port: this.nats.port, storeDir: this.natsDir });
  }

  get configApi(): string {
    return `http://127.0.0.1:${this.ports['config-service']}`;
  }

  async startService(name: ServiceName, env: NodeJS.ProcessEnv = {}): Promise<RunningService> {
    const service = this.launch(name, this.ports[name], env);
    this.services.set(name, service);
    await this.ready(service);
    return service;
  }

  /** Another instance of a service, on a port of its own, sharing the same NATS and database. */
  async startExtraInstance(name: ServiceName, env: NodeJS.ProcessEnv = {}): Promise<RunningService> {
    const service = this.launch(name, await freePort(), env);
    this.extras.push(service);
    await this.ready(service);
    return service;
  }

  /** A service's output goes to a file of this system's (to the terminal with KITE_TEST_LOGS). */
  private launch(name: ServiceName, port: number, env: NodeJS.ProcessEnv): RunningService {
    return startService(ROOT, name, port, this.environment(env), process.env.KITE_TEST_LOGS ? 'inherit' : { file: this.logOf(name, port) });
  }

  private logOf(name: ServiceName, port: number): string {
    return path.join(this.logDir, `${name}-${port}.log`);
  }

  /** Waits for the service's readiness; a start that fails says why, in the last lines the service wrote. */
  private async ready(service: RunningService): Promise<void> {
    try {
      await waitUntilReady(service.port, 60_000, service.exited);
    } catch (e) {
      throw new Error(`${service.name}: ${(e as Error).message}; the last it wrote:\n${this.tail(service)}`, { cause: e });
    }
  }

  private environment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return { NATS_URL: this.natsUrl, DATABASE_URL: this.databaseUrl, LOG_LEVEL: 'warn', AUTH_JWT_SECRET: this.secret, ...env };
  }

  async stopService(name: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.services.get(name)?.stop(signal);
    this.services.delete(name);
  }

  async publish(subject: string, event: { id: string }): Promise<void> {
    await this.publisher.publish(subject, event);
  }

  async publishRaw(subject: string, payload: string, msgId: string): Promise<void> {
    await this.publisher.publishRaw(subject, payload, msgId);
  }

  /** A token of this system's for `tenant`; `expiresIn` as jose reads it ('1h', '5s'). */
  async token(tenant: string, role: 'admin' | 'viewer' = 'admin', expiresIn = '1h'): Promise<string> {
    return new SignJWT({ tenant, role }).setProtectedHeader({ alg: 'HS256' }).setSubject(`${role}@${tenant}`).setIssuedAt().setExpirationTime(expiresIn).sign(new TextEncoder().encode(this.secret));
  }

  /** An HTTP call (the configuration API unless `service` says otherwise) with a token of `tenant`, admin unless said otherwise. */
  async api(tenant: string, method: string, route: string, body?: unknown, options: { role?: 'admin' | 'viewer'; headers?: Record<string, string>; service?: ServiceName } = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
    const res = await fetch(`http://127.0.0.1:${this.ports[options.service ?? 'config-service']}${route}`, {
      method,
      headers: { authorization: `Bearer ${await this.token(tenant, options.role ?? 'admin')}`, 'content-type': 'application/json', ...options.headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /** Waits until every running service has applied all configuration events published so far. */
  async untilConfigApplied(timeoutMs = 10_000): Promise<void> {
    const last = await streamLastSequence(this.nc, STREAMS.config.name);
    let behind = new Map<ServiceName, number>();
    const reached = async () => (behind = await configurationBehind(this.databaseUrl, [...this.services.keys()], last)).size === 0;
    await eventually(reached, 'every service to apply the configuration', timeoutMs).catch((e: Error) => {
      throw new Error(`${e.message} (${STREAMS.config.name} up to #${last}): ${[...behind].map(([name, position]) => `${name} stands at #${position}; the last it wrote:\n${this.lastLines(name)}`).join('\n')}`, { cause: e });
    });
  }

  /** The last lines the service (its instance started first) wrote. */
  lastLines(name: ServiceName): string {
    const service = this.services.get(name);
    return service ? this.tail(service) : '(not running)';
  }

  private tail(service: RunningService): string {
    const log = this.logOf(service.name, service.port);
    return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trimEnd().split('\n').slice(-20).join('\n') : '(its output was shown: KITE_TEST_LOGS)';
  }

  private collect(event: AnyEnvelope): void {
    this.outboundPublishes++;
    if (this.outboundIds.has(event.id)) return;
    this.outboundIds.add(event.id);
    this.outbound.push(event);
  }

  /** Every message the stream holds now, in its order, with its subject and its JSON body. */
  async stored(stream: string): Promise<{ subject: string; data: unknown }[]> {
    const last = await streamLastSequence(this.nc, stream);
    if (last === 0) return [];
    const consumer = await jetstream(this.nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume();
    const read: { subject: string; data: unknown }[] = [];
    for await (const m of messages) {
      read.push({ subject: m.subject, data: JSON.parse(new TextDecoder().decode(m.data)) });
      if (m.seq >= last) break;
    }
    await messages.close();
    return read;
  }

  outboundOf(type: string, where: (e: AnyEnvelope) => boolean = () => true): AnyEnvelope[] {
    return this.outbound.filter((e) => e.type === type && where(e));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values(), ...this.extras].map((s) => s.stop()));
    await this.nc.drain().catch(() => undefined);
    await this.running?.stop();
    await this.dropDatabase().catch(() => undefined);
    fs.rmSync(this.natsDir, { recursive: true, force: true });
    fs.rmSync(this.logDir, { recursive: true, force: true });
  }
}

/** Polls until `check` returns a value (not undefined/false), or fails with `what`. */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits a moment in which nothing more should happen, to check that nothing did. */
export const settle = (ms = 1_000): Promise<void> => new Promise((r) => setTimeout(r, ms));
