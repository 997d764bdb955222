import { Inject, Injectable } from '@nestjs/common';
import { type ConversationEvent, conversationOfSubject, type TypedEntry } from '@kite/contracts';
import { actions, actionsOf, activityAfterRun, activityFactOf, configurationInForce, periodAt, plannedTimers } from '@kite/domain';
import { CONVERSATION_LOG, type ConversationLog, type Decision } from '@kite/messaging';
import { advisoryLocks, type Transaction } from '@kite/persistence';
import { ConfigCache, ConversationLogProcessor, conversationsOf, EventProcessor, type Load, type Received } from '@kite/service-kit';
import { syncTimers } from '../timers/timer-store.js';
import { TimerWheel } from '../timers/timer-wheel.js';
import { ACTIVITY_PROJECTION, activitiesOf, emptyActivity, saveActivities, type StoredActivity } from './activity-store.js';

type Entry = TypedEntry<ConversationEvent>;
type Activities = Map<string, StoredActivity>;

/**
 * Reads every conversation's log in order and keeps what the actions measure. On a contact message
 * it runs the actions without conditions of the message's period (A3); after each entry it arms,
 * moves or cancels the conversation's timers to match the actions now armed (A1–A3).
 */
@Injectable()
@EventProcessor()
export class ActivityProcessor extends ConversationLogProcessor<Activities> {
  readonly name = 'conversations';
  /** Off the critical path: an action without conditions (A3) runs at most this much later; at 200/s, about 130 entries per transaction. */
  readonly burst = 400;

  constructor(
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: ConversationLog,
    private readonly wheel: TimerWheel,
  ) {
    super();
  }

  /** The conversations' activities, under the locks the timer wheel takes before it fires one of their timers. */
  load(entries: readonly Received<Entry>[]): Load<Activities> {
    const subjects = [...new Set(entries.map((e) => e.subject))];
    const read = activitiesOf(conversationsOf(entries));
    return { statements: [advisoryLocks(ACTIVITY_PROJECTION, subjects), read.statement], decode: ([, rows]) => read.decode(rows!) };
  }

  async handle(tx: Transaction, entries: readonly Received<Entry>[], loaded: Activities): Promise<void> {
    const config = await this.configCache.lookups(tx);
    const configurationOf = async (tenant: string, number: string | undefined) => {
      const found = number === undefined ? undefined : await config.number(tenant, number);
      return { number: found, configuration: configurationInForce(found) };
    };
    const decisions: Decision[] = [];
    const touched = new Map<string, { tenant: string; conversationId: string; stored: StoredActivity }>();
    for (const { item, subject, seq, live } of entries) {
      const conversationId = conversationOfSubject(subject);
      const tenant = item.events[0]!.tenant;
      let stored: StoredActivity = touched.get(subject)?.stored ?? loaded.get(conversationId) ?? emptyActivity(tenant);
      for (const event of item.events) {
        if (event.type === 'ContactMessageAppended') stored = { ...stored, number: event.data.number };
        const { number, configuration } = await configurationOf(tenant, stored.number);
        const periodOf = (at: Date) => (configuration ? periodAt(configuration.workingHours.schedule, at, number?.override) : 'working_hours');
        const fact = activityFactOf(event, periodOf);
        if (!fact) continue;
        stored = { ...stored, activity: actions.evolve(stored.activity, fact) };
        if (live && fact.type === 'contact_message' && event.type === 'ContactMessageAppended') {
          const command = { type: 'RunOnMessage' as const, tenant, conversationId, actions: actionsOf(configuration), now: Date.now(), message: event, period: fact.period };
          const run = actions.decide(command, stored.activity);
          if (run.length) decisions.push({ subject, events: run });
          stored = { ...stored, activity: activityAfterRun(stored.activity, run) };
        }
      }
      // The position tells the timer wheel how far the conversation's log is applied here.
      touched.set(subject, { tenant, conversationId, stored: { ...stored, position: seq } });
    }
    const plans: { tenant: string; conversationId: string; planned: Map<string, number> }[] = [];
    // Timers follow the state in a replay too (planning decides nothing); the wheel fires a timer
    // only once this processor has applied the conversation's whole log.
    for (const { tenant, conversationId, stored } of touched.values()) {
      plans.push({ tenant, conversationId, planned: plannedTimers(actionsOf((await configurationOf(tenant, stored.number)).configuration), stored.activity) });
    }
    const saved = [...touched.values()].map(({ conversationId, stored }) => ({ conversationId, stored }));
    await this.log.record(decisions);
    await saveActivities(tx, saved);
    await syncTimers(tx, plans);
    for (const { planned } of plans) for (const due of planned.values()) this.wheel.armed(due);
  }
}
