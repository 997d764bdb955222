import { Inject, Injectable } from '@nestjs/common';
import { NUMBER_EVENT_TYPES, subjects, type NumberState } from '@kite/contracts';
import { evolveNumber, unconfiguredNumber, type NumberDecision } from '@kite/domain';
import { CONFIGURATION_LOG, isWrongLastSequence, type EventLog } from '@kite/messaging';
import type { DataSource } from '@kite/persistence';
import { DATA_SOURCE, findNumber } from '@kite/service-kit';
import { Problem } from '@kite/service-kit';
import { waitUntil } from './wait-until.js';

export interface VersionedNumber {
  state: NumberState;
  channels: string[];
  version: number;
}

/**
 * The number aggregate: loaded from its log's last entry (every event carries the whole state),
 * changed by a domain decision, appended with the version it was decided on, so that a change
 * made meanwhile is never overwritten (C7).
 */
@Injectable()
export class NumberConfigurations {
  constructor(
    @Inject(CONFIGURATION_LOG) private readonly log: EventLog,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  /** C6: a number not in the tenant's directory (another tenant's included) is 404. */
  async load(tenant: string, number: string): Promise<VersionedNumber> {
    const known = await findNumber(this.ds, tenant, number);
    if (!known) throw new Problem(404, 'No such number', `${number} is not a number of this tenant`);
    const entry = await this.log.lastEntry(subjects.numberConfiguration(tenant, number), NUMBER_EVENT_TYPES).catch((e: unknown) => {
      throw new Error(`the log of ${number} holds a bad event: ${e instanceof Error ? e.message : String(e)}`);
    });
    const last = entry?.events.at(-1);
    const state = last ? evolveNumber(unconfiguredNumber(number), last) : unconfiguredNumber(number);
    return { state, channels: known.channels, version: entry?.seq ?? 0 };
  }

  /**
   * Decides and appends. With `expectedVersion` (If-Match) a stale version is 412; without it, a
   * concurrent change makes it decide again on the new state.
   */
  async change(tenant: string, number: string, decide: (state: NumberState) => NumberDecision, expectedVersion?: number): Promise<VersionedNumber> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.load(tenant, number);
      if (expectedVersion !== undefined && expectedVersion !== current.version) throw stale(expectedVersion, current.version);
      const decision = decide(current.state);
      if (!decision.ok) throw new Problem(decision.status, 'The change cannot be made', decision.reason);
      if (decision.events.length === 0) return current;
      try {
        const { seq } = await this.log.append(subjects.numberConfiguration(tenant, number), decision.events, current.version);
        await waitUntil(this.ds, `SELECT seq FROM number_configurations WHERE tenant = $1 AND number = $2`, [tenant, number], seq);
        return { state: decision.events.reduce(evolveNumber, current.state), channels: current.channels, version: seq };
      } catch (e) {
        if (!isWrongLastSequence(e)) throw e;
        if (expectedVersion !== undefined || attempt >= 5) throw stale(expectedVersion ?? current.version, undefined);
      }
    }
  }
}

function stale(expected: number, current: number | undefined): Problem {
  return new Problem(412, 'The configuration changed since that version', `version ${expected} is not the current one${current === undefined ? '' : ` (${current} is)`}`);
}
