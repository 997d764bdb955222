import fs from 'node:fs';
import { credsAuthenticator, type ConnectionOptions } from '@nats-io/nats-core';
import { connect, type NatsConnection } from '@nats-io/transport-node';

export type { NatsConnection };

/** Who a connection is on NATS: a user and password, or a creds file (an nkey and its JWT); none on an open server. */
export interface NatsCredentials {
  user?: string | undefined;
  password?: string | undefined;
  /** The path of a `.creds` file (`nsc generate creds`). */
  credsFile?: string | undefined;
}

/**
 * The connection's own inbox prefix: replies to it (acknowledgements, API answers, consumer
 * deliveries) come on `_INBOX.<user>.>` (the connection's name without a user), so a permissions
 * file can let each user read only its own.
 */
export const inboxPrefixOf = (owner: string): string => `_INBOX.${owner.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/**
 * The servers of a NATS_URL (comma-separated, as in a cluster) and the user written in them, if
 * any: the client ignores a user in a URL, so it is taken out and passed as credentials.
 */
export function serversOf(url: string): { servers: string[]; user?: string; password?: string } {
  let user: string | undefined;
  let password: string | undefined;
  const servers = url.split(',').map((server) => {
    const parsed = URL.canParse(server) ? new URL(server) : undefined;
    if (!parsed || !parsed.username) return server.trim();
    user = decodeURIComponent(parsed.username);
    password = decodeURIComponent(parsed.password);
    return `${parsed.protocol}//${parsed.host}`;
  });
  return { servers, ...(user === undefined ? {} : { user, password }) };
}

/**
 * Connects with unlimited reconnects: a restart of the NATS server is an outage, not a crash.
 * No async stack traces: capturing one per request cost the busiest service a twentieth of its CPU.
 */
export async function connectNats(url: string, name: string, credentials: NatsCredentials = {}): Promise<NatsConnection> {
  const { servers, ...inUrl } = serversOf(url);
  const user = credentials.user ?? inUrl.user;
  const password = credentials.password ?? inUrl.password;
  const auth: Partial<ConnectionOptions> = credentials.credsFile
    ? { authenticator: credsAuthenticator(fs.readFileSync(credentials.credsFile)) }
    : user !== undefined
      ? { user, pass: password ?? '' }
      : {};
  return connect({ servers, name, inboxPrefix: inboxPrefixOf(user ?? name), maxReconnectAttempts: -1, reconnectTimeWait: 500, pingInterval: 10_000, noAsyncTraces: true, ...auth });
}

/** The connection's inbox prefix, for subscriptions made outside the client's own request machinery. */
export const inboxPrefix = (nc: NatsConnection): string => (nc as unknown as { options: ConnectionOptions }).options.inboxPrefix ?? '_INBOX';
