import type { DataSource, EntityManager } from '@kite/persistence';
import { findGroupAgents, findNumber, findOutboundContext, type NumberRecord } from './config-read-model.js';

type OutboundContext = Awaited<ReturnType<typeof findOutboundContext>>;

/**
 * The configuration read model as one transaction sees it, each lookup made once: a batch of a
 * thousand messages on four numbers asks PostgreSQL four times, not a thousand.
 */
export class ConfigLookups {
  private readonly numbers = new Map<string, Promise<NumberRecord | undefined>>();
  private readonly groups = new Map<string, Promise<string[]>>();
  private readonly outbound = new Map<string, Promise<OutboundContext>>();

  constructor(private readonly db: DataSource | EntityManager) {}

  number(tenant: string, number: string): Promise<NumberRecord | undefined> {
    return remember(this.numbers, `${tenant} ${number}`, () => findNumber(this.db, tenant, number));
  }

  groupAgents(tenant: string, serviceId: string): Promise<string[]> {
    return remember(this.groups, `${tenant} ${serviceId}`, () => findGroupAgents(this.db, tenant, serviceId));
  }

  outboundContext(tenant: string, serviceId: string): Promise<OutboundContext> {
    return remember(this.outbound, `${tenant} ${serviceId}`, () => findOutboundContext(this.db, tenant, serviceId));
  }
}

function remember<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let found = cache.get(key);
  if (!found) cache.set(key, (found = load()));
  return found;
}
