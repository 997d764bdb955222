import { Inject, Injectable } from '@nestjs/common';
import { CONFIGURATION_LOG, isWrongLastSequence, type EventLog } from '@kite/messaging';
import type { DataSource } from '@kite/persistence';
import { DATA_SOURCE } from '@kite/service-kit';
import type { AnyEnvelope } from '@kite/contracts';

export class StaleVersion extends Error {}

/**
 * Appends configuration events to their aggregate's subject and waits until this service's own
 * read model shows them, so a read after a write sees the write.
 */
@Injectable()
export class ConfigurationLog {
  constructor(
    @Inject(CONFIGURATION_LOG) private readonly log: EventLog,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  /** The aggregate's version: the sequence of its last entry, 0 when it has none. */
  version(subject: string): Promise<number> {
    return this.log.tail(subject);
  }

  /** With `expectedVersion`, refuses (StaleVersion) when another change came first (C7). */
  async append(subject: string, event: AnyEnvelope, expectedVersion?: number): Promise<number> {
    try {
      const { seq } = await this.log.append(subject, [event], expectedVersion, expectedVersion === undefined ? 10 : 1);
      return seq;
    } catch (e) {
      if (isWrongLastSequence(e)) throw new StaleVersion(`version ${expectedVersion} is not the current one`);
      throw e;
    }
  }

  async waitUntilProjected(sql: string, params: unknown[], seq: number, timeoutMs = 3_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const rows = (await this.ds.query(sql, params)) as { seq: string }[];
      if (Number(rows[0]?.seq ?? 0) >= seq) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
