import pg from 'pg';
import { SERVICE_SCHEMAS, type ServiceName } from './services.js';

/**
 * How far each of the services has handled the configuration stream: its `config` processor has
 * one partition, so its checkpoint says exactly where it stands (0 before its schema exists).
 */
export async function configurationStanding(databaseUrl: string, services: readonly ServiceName[]): Promise<Map<ServiceName, number>> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const standing = new Map<ServiceName, number>();
    for (const service of services) {
      const rows = await db.query<{ position: string | null }>(`SELECT min(position) AS position FROM "${SERVICE_SCHEMAS[service]}".checkpoints WHERE processor = 'config'`).catch(() => ({ rows: [] }));
      standing.set(service, Number(rows.rows[0]?.position ?? 0));
    }
    return standing;
  } finally {
    await db.end();
  }
}

/** Whether each of the services has handled the configuration stream up to `seq`. */
export async function configurationReached(databaseUrl: string, services: readonly ServiceName[], seq: number): Promise<boolean> {
  return [...(await configurationStanding(databaseUrl, services)).values()].every((position) => position >= seq);
}
