import pg from 'pg';
import { SERVICE_SCHEMAS, type ServiceName } from './services.js';

/**
 * The services that have not handled the configuration stream up to `seq`, each with where it
 * stands: its `config` processor has one partition, so its checkpoint says exactly how far it is
 * (0 before its schema exists). Empty once every one has.
 */
export async function configurationBehind(databaseUrl: string, services: readonly ServiceName[], seq: number): Promise<Map<ServiceName, number>> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const behind = new Map<ServiceName, number>();
    for (const service of services) {
      const rows = await db.query<{ position: string | null }>(`SELECT min(position) AS position FROM "${SERVICE_SCHEMAS[service]}".checkpoints WHERE processor = 'config'`).catch(() => ({ rows: [] }));
      const position = Number(rows.rows[0]?.position ?? 0);
      if (position < seq) behind.set(service, position);
    }
    return behind;
  } finally {
    await db.end();
  }
}
