import { z } from 'zod';
import { DEFAULT_PARTITIONS, DEFAULT_TOKEN_LIFETIME_SECONDS } from '@kite/contracts';
import { NatsEnvironment, natsSettingsOf, type NatsSettings } from '@kite/messaging';

const SERVICE_PORTS = { 'config-service': 8080, 'linking-service': 8081, 'routing-service': 8082, 'action-scheduler': 8083 } as const;
export type ServiceName = keyof typeof SERVICE_PORTS;
const PORT_VARIABLE: Record<ServiceName, string> = {
  'config-service': 'CONFIG_API_PORT',
  'linking-service': 'LINKING_PORT',
  'routing-service': 'ROUTING_PORT',
  'action-scheduler': 'SCHEDULER_PORT',
};

/** The most AUTH_TOKEN_MAX_LIFETIME may be set to. */
const MAX_TOKEN_LIFETIME_SECONDS = 30 * 86_400;

const Environment = NatsEnvironment.extend({
  DATABASE_URL: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/postgres'),
  AUTH_JWT_SECRET: z.string().min(16, 'AUTH_JWT_SECRET must have at least 16 characters').optional(),
  AUTH_JWT_PUBLIC_KEY: z.string().optional(),
  AUTH_TOKEN_MAX_LIFETIME: z.coerce.number().int().min(60).max(MAX_TOKEN_LIFETIME_SECONDS).default(DEFAULT_TOKEN_LIFETIME_SECONDS),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  KITE_REBUILD: z.enum(['0', '1', 'true', 'false']).default('0'),
  KITE_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(DEFAULT_PARTITIONS),
});

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

export interface ServiceConfig {
  service: ServiceName;
  /** Where NATS is, who this service is on it, and how the streams are kept. */
  nats: NatsSettings;
  databaseUrl: string;
  host: string;
  port: number;
  logLevel: z.infer<typeof Environment>['LOG_LEVEL'];
  /** The key tokens are verified with: a shared secret (HS256) or a public key (RS256); one of them is required. */
  auth: { secret?: string | undefined; publicKey?: string | undefined; maxLifetimeSeconds: number };
  /** Drop the read model and rebuild it by replaying the streams (KITE_REBUILD=1 or --rebuild). */
  rebuild: boolean;
  /** Partitions of the ordered streams (KITE_PARTITIONS): the same for every instance of every service. */
  partitions: number;
}

/** The one place that reads the environment; fails fast with every problem at once. */
export function loadServiceConfig(service: ServiceName, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    throw new Error(`${service}: bad environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const portText = env[PORT_VARIABLE[service]];
  const port = portText === undefined ? SERVICE_PORTS[service] : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${service}: ${PORT_VARIABLE[service]} must be a port number`);
  const e = parsed.data;
  // No default secret: one written in the source would let anyone who read it sign tokens.
  if (!e.AUTH_JWT_SECRET && !e.AUTH_JWT_PUBLIC_KEY) throw new Error(`${service}: AUTH_JWT_SECRET is not set (nor AUTH_JWT_PUBLIC_KEY): the key that API tokens are verified with is required (npm start generates one for development)`);
  const auth = { secret: e.AUTH_JWT_SECRET, publicKey: e.AUTH_JWT_PUBLIC_KEY, maxLifetimeSeconds: e.AUTH_TOKEN_MAX_LIFETIME };
  return { service, nats: natsSettingsOf(e), databaseUrl: e.DATABASE_URL, host: e.HOST, port, logLevel: e.LOG_LEVEL, auth, rebuild: e.KITE_REBUILD === '1' || e.KITE_REBUILD === 'true' || process.argv.includes('--rebuild'), partitions: e.KITE_PARTITIONS };
}

export const portVariableOf = (service: ServiceName): string => PORT_VARIABLE[service];
export const defaultPortOf = (service: ServiceName): number => SERVICE_PORTS[service];
