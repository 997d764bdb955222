import { Inject, Injectable } from '@nestjs/common';
import { type ConversationEvent, conversationOfSubject, type NumberConfiguration, type TypedEntry } from '@kite/contracts';
import { actionsOf, evolveActivity, immediateActions, periodAt, plannedTimers, runAction, type ActivityFact, type Period } from '@kite/domain';
import { CONVERSATION_LOG, type ConversationLog, type Decision } from '@kite/messaging';
import { advisoryLocks, type Transaction } from '@kite/persistence';
import { ConfigCache, configurationInForce, ConversationLogProcessor, conversationsOf, EventProcessor, type Load, type Received } from '@kite/service-kit';
import { syncTimers } from '../timers/timer-store.js';
import { TimerWheel } from '../timers/timer-wheel.js';
import { ACTIVITY_PROJECTION, activitiesOf, emptyActivity, saveActivities, type StoredActivity } from './activity-store.js';

type Entry = TypedEntry<ConversationEvent>;
type Activities = Map<string, StoredActivity>;

/**
 * The facts of a conversation's log that actions measure (A2; bot messages are none of them), and
 * the runs of actions, read back from their TimerFired (A3, A6).
 */
function factOf(event: ConversationEvent, period: (at: Date) => Promise<Period>, configuration: NumberConfiguration | undefined): Promise<ActivityFact | undefined> | ActivityFact | undefined {
  switch (event.type) {
    case 'TimerFired': {
      const onlyOnce = actionsOf(configuration).find((a) => a.action.id === event.data.actionId)?.action.onlyOnce ?? false;
      return { type: 'action_ran', actionId: event.data.actionId, at: Date.parse(event.data.firedAt), onlyOnce };
    }
    case 'ContactMessageAppended':
      return period(new Date(event.data.receivedAt)).then((p) => ({ type: 'contact_message', id: event.data.messageId, at: Date.parse(event.data.receivedAt), period: p }));
    case 'ChatMessageSent':
      return event.data.sender.kind === 'agent' ? { type: 'agent_message', at: Date.parse(event.data.sentAt) } : undefined;
    case 'ChatMessageRead':
      return { type: 'read', messageId: event.data.messageId, at: Date.parse(event.data.readAt) };
    case 'MembersAdded':
      return { type: 'members_added', members: event.data.members.map((m) => `${m.kind}:${m.id}`) };
    case 'MemberJoined':
      return { type: 'members_added', members: [`${event.data.member.kind}:${event.data.member.id}`] };
    case 'MemberRemoved':
      return { type: 'member_removed', member: `${event.data.member.kind}:${event.data.member.id}` };
    default:
      return undefined;
  }
}

/**
 * Reads every conversation's log in order and keeps what the actions measure. On a contact message
 * it runs the actions without conditions of the message's period (A3); after each entry it arms,
 * moves or cancels the conversation's timers to match the actions now armed (A1–A3).
 */
@Injectable()
@EventProcessor()
export class ActivityProcessor extends ConversationLogProcessor<Activities> {
  readonly name = 'conversations';
  /** Off the critical path: under light load, a few conversations' entries per transaction. */
  readonly linger = 50;

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
        const fact = await factOf(event, async (at) => (configuration ? periodAt(configuration.workingHours.schedule, at, number?.override) : 'working_hours'), configuration);
        if (!fact) continue;
        stored = { ...stored, activity: evolveActivity(stored.activity, fact) };
        if (live && fact.type === 'contact_message') {
          for (const action of immediateActions(actionsOf(configuration), fact.period, stored.activity)) {
            const runId = `${conversationId}:${action.action.id}:${fact.id}`;
            decisions.push({ subject, events: runAction(tenant, conversationId, action, stored.activity, { runId, firedAt: Date.now(), cause: event }) });
            stored = { ...stored, activity: evolveActivity(stored.activity, { type: 'action_ran', actionId: action.action.id, at: fact.at, onlyOnce: action.action.onlyOnce }) };
          }
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
