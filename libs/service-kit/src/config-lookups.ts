import { Injectable } from '@nestjs/common';
import type { Queryable } from '@kite/persistence';
import type { ConsentSettings } from '@kite/contracts';
import { configVersion, findConsentedContacts, findConsentSettings, findContactConsentChanges, findGroupAgents, findNumber, findOutboundContext, type NumberRecord, type OrderedChange } from './config-queries.js';

type OutboundContext = Awaited<ReturnType<typeof findOutboundContext>>;

/** What was read of the configuration read model while it stood at one version. */
interface Generation {
  version: number;
  numbers: Map<string, Promise<NumberRecord | undefined>>;
  groups: Map<string, Promise<string[]>>;
  outbound: Map<string, Promise<OutboundContext>>;
  consentedContacts: Map<string, Promise<Set<string>>>;
  consent: Map<string, Promise<OrderedChange[]>>;
  consentSettings: Map<string, Promise<ConsentSettings>>;
}

const generation = (version: number): Generation => ({ version, numbers: new Map(), groups: new Map(), outbound: new Map(), consentedContacts: new Map(), consent: new Map(), consentSettings: new Map() });

/** How long a version read stands for another instance's changes; this process's own are seen at once. */
const VERSION_CHECK_MS = 100;

/**
 * The configuration read model, each lookup made once per version of it: every applied
 * configuration event bumps the version in its own transaction. A change this process applied
 * drops what it had read at once; one another instance applied is noticed within 100 ms, a small
 * part of the time the event takes to reach the read model at all.
 */
@Injectable()
export class ConfigCache {
  private current = generation(-1);
  private checkedAt = Number.NEGATIVE_INFINITY;

  /** Lookups as of now; what they read is kept while the version stays. */
  async lookups(db: Queryable): Promise<ConfigLookups> {
    if (performance.now() - this.checkedAt < VERSION_CHECK_MS) return new ConfigLookups(db, this.current);
    const checkedAt = performance.now();
    const version = await configVersion(db);
    if (version > this.current.version) this.current = generation(version);
    if (version === this.current.version) this.checkedAt = Math.max(this.checkedAt, checkedAt);
    // A reader that saw an older version than another already did keeps what it reads to itself.
    return new ConfigLookups(db, version === this.current.version ? this.current : generation(version));
  }

  /**
   * This process applied a configuration change: read everything again. The version in hand is
   * set between the old one and the change's, so a reader still holding the old version caches
   * nothing, and the first to read the change's version starts the next generation.
   */
  changed(): void {
    this.current = generation(this.current.version + 0.5);
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }
}

export class ConfigLookups {
  constructor(
    private readonly db: Queryable,
    private readonly seen: Generation,
  ) {}

  number(tenant: string, number: string): Promise<NumberRecord | undefined> {
    return remember(this.seen.numbers, `${tenant} ${number}`, () => findNumber(this.db, tenant, number));
  }

  groupAgents(tenant: string, serviceId: string): Promise<string[]> {
    return remember(this.seen.groups, `${tenant} ${serviceId}`, () => findGroupAgents(this.db, tenant, serviceId));
  }

  outboundContext(tenant: string, serviceId: string): Promise<OutboundContext> {
    return remember(this.seen.outbound, `${tenant} ${serviceId}`, () => findOutboundContext(this.db, tenant, serviceId));
  }

  /** P3: the consent changes of one of the tenant's contacts; none to read for one who never had any. */
  async consentChanges(tenant: string, contact: string): Promise<readonly OrderedChange[]> {
    const consented = await remember(this.seen.consentedContacts, tenant, () => findConsentedContacts(this.db, tenant));
    if (!consented.has(contact)) return [];
    return remember(this.seen.consent, `${tenant} ${contact}`, () => findContactConsentChanges(this.db, tenant, contact));
  }

  consentSettings(tenant: string): Promise<ConsentSettings> {
    return remember(this.seen.consentSettings, tenant, () => findConsentSettings(this.db, tenant));
  }
}

function remember<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let found = cache.get(key);
  if (!found) {
    found = load();
    cache.set(key, found);
    // A failed read (its transaction rolled back, say) is not an answer to keep.
    found.catch(() => cache.delete(key));
  }
  return found;
}
