import { subjects } from '@kite/contracts';
import type { EventLog } from '@kite/messaging';
import type { Queryable } from '@kite/persistence';
import { appliedConfigurationOf, findNumber, type NumberRecord } from './config-queries.js';

/** A number as the configuration stream has it now, or `behind` while the read model has yet to apply a change to it. */
export type NumberNow = { behind: false; number: NumberRecord | undefined } | { behind: true };

/**
 * The number read from the read model itself (not the cache), once it holds every change the
 * configuration stream has for the number and for its tenant's directory. Configuration reaches
 * each service a few milliseconds after the API answers (more while a consumer is down): a
 * decision that would be final on an old view, such as rejecting a message for a number just
 * configured, asks here first and waits while the read model is behind.
 */
export async function numberNow(db: Queryable, configurationLog: EventLog, tenant: string, number: string): Promise<NumberNow> {
  const [directoryTail, numberTail, applied] = await Promise.all([
    configurationLog.tail(subjects.directory(tenant)),
    configurationLog.tail(subjects.numberConfiguration(tenant, number)),
    appliedConfigurationOf(db, tenant, number),
  ]);
  if (directoryTail > applied.directory || numberTail > applied.number) return { behind: true };
  return { behind: false, number: await findNumber(db, tenant, number) };
}
