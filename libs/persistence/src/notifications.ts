import pg from 'pg';

export interface Listening {
  close(): Promise<void>;
}

/**
 * PostgreSQL's LISTEN on `channel`, on a connection of its own: `onPayload` gets each NOTIFY's
 * payload (sent by a transaction as it commits). A lost connection is opened again a second later,
 * and `onReconnect` then says that notices may have been missed meanwhile.
 */
export function listen(url: string, channel: string, onPayload: (payload: string) => void, onReconnect: () => void = () => undefined): Listening {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (again: boolean) => {
    const next = new pg.Client({ connectionString: url });
    client = next;
    const retryLater = () => {
      if (closed || client !== next) return;
      clearTimeout(retry);
      retry = setTimeout(() => void connect(true), 1_000);
    };
    next.on('notification', (n) => {
      if (n.channel === channel) onPayload(n.payload ?? '');
    });
    next.on('error', retryLater);
    next.on('end', retryLater);
    try {
      await next.connect();
      await next.query(`LISTEN "${channel.replace(/"/g, '')}"`);
      if (again) onReconnect();
    } catch {
      retryLater();
      await next.end().catch(() => undefined);
    }
  };
  void connect(false);
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
