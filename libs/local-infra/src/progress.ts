import pg from 'pg';
import { SERVICE_SCHEMAS, type ServiceName } from './services.js';

/**
 * Whether each of the services has handled the configuration stream up to `seq`: its `config`
 * processor has one partition, so its checkpoint says exactly how far it is.
 */
export async function configurationReached(databaseUrl: string, services: readonly ServiceName[], seq: number): Promise<boolean> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    for (const service of services) {
      const rows = await db.query<{ position: string | null }>(`SELECT min(position) AS position FROM "${SERVICE_SCHEMAS[service]}".checkpoints WHERE processor = 'config'`).catch(() => ({ rows: [] }));
      if (Number(rows.rows[0]?.position ?? 0) < seq) return false;
    }
    return true;
  } finally {
    await db.end();
  }
}
