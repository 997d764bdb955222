import { z } from 'zod';
import type { NatsCredentials } from './connection.js';
import type { StreamLimits } from './streams.js';

/** No limit, as NATS spells it. */
const UNLIMITED = -1;
const bytes = (name: string) =>
  z.coerce
    .number()
    .int()
    .refine((n) => n === UNLIMITED || n >= 1024 * 1024, `${name} must be -1 (no limit) or at least 1048576 (1 MiB)`)
    .default(UNLIMITED);

/** The environment that says how to reach NATS and how the streams are kept: shared by the services and the tools. */
export const NatsEnvironment = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().optional(),
  NATS_CREDS: z.string().min(1).optional(),
  KITE_STREAMS: z.enum(['provision', 'existing']).default('provision'),
  KITE_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  KITE_CHANNEL_MAX_BYTES: bytes('KITE_CHANNEL_MAX_BYTES'),
  KITE_LOG_MAX_BYTES: bytes('KITE_LOG_MAX_BYTES'),
});

export interface NatsSettings {
  url: string;
  credentials: NatsCredentials;
  /**
   * `provision`: create the streams, or bring them to `limits`, on start. `existing`: only wait for
   * them to exist, for a user not allowed to manage streams (provisioned by `npm run streams`).
   */
  streams: 'provision' | 'existing';
  limits: StreamLimits;
}

export function natsSettingsOf(e: z.infer<typeof NatsEnvironment>): NatsSettings {
  return {
    url: e.NATS_URL,
    credentials: { user: e.NATS_USER, password: e.NATS_PASSWORD, credsFile: e.NATS_CREDS },
    streams: e.KITE_STREAMS,
    limits: { replicas: e.KITE_STREAM_REPLICAS, channelMaxBytes: e.KITE_CHANNEL_MAX_BYTES, logMaxBytes: e.KITE_LOG_MAX_BYTES },
  };
}

/** The NATS settings of an environment, or an error naming every bad variable. */
export function loadNatsSettings(env: NodeJS.ProcessEnv = process.env): NatsSettings {
  const parsed = NatsEnvironment.safeParse(env);
  if (!parsed.success) throw new Error(`bad environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return natsSettingsOf(parsed.data);
}
