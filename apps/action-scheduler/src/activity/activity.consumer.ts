import { Inject, Injectable } from '@nestjs/common';
import { STREAMS, type AnyEnvelope, type ChatMessageRead, type ChatMessageSent, type ContactMessageAppended, type MemberJoined, type MemberRemoved, type MembersAdded, type NumberConfiguration, type TimerFired } from '@kite/contracts';
import { actionsOf, evolveActivity, immediateActions, periodAt, plannedTimers, runAction, type ActivityFact, type Period } from '@kite/domain';
import { appendAll, CONVERSATION_LOG, JetStreamHandler, type Delivery, type EventLog, type LogAppend, type Settlement } from '@kite/messaging';
import type { DataSource, Read, Transaction } from '@kite/persistence';
import { ConfigCache, configurationInForce, DATA_SOURCE, handleLogDeliveries, type ChainedProjection, type ChainRun } from '@kite/service-kit';
import { syncTimers } from '../timers/timer-store.js';
import { TimerWheel } from '../timers/timer-wheel.js';
import { ACTIVITY_PROJECTION, activitiesOf, emptyActivity, saveActivities, type StoredActivity } from './activity-store.js';

/**
 * The facts of a conversation's log that actions measure (A2; bot messages are none of them), and
 * the runs of actions, read back from their TimerFired (A3, A6).
 */
function factOf(event: AnyEnvelope, period: () => Promise<Period>, configuration: NumberConfiguration | undefined): Promise<ActivityFact | undefined> | ActivityFact | undefined {
  switch (event.type) {
    case 'TimerFired': {
      const { data } = event as TimerFired;
      const onlyOnce = actionsOf(configuration).find((a) => a.action.id === data.actionId)?.action.onlyOnce ?? false;
      return { type: 'action_ran', actionId: data.actionId, at: Date.parse(data.firedAt), onlyOnce };
    }
    case 'ContactMessageAppended': {
      const { data } = event as ContactMessageAppended;
      return period().then((p) => ({ type: 'contact_message', id: data.messageId, at: Date.parse(data.receivedAt), period: p }));
    }
    case 'ChatMessageSent': {
      const { data } = event as ChatMessageSent;
      return data.sender.kind === 'agent' ? { type: 'agent_message', at: Date.parse(data.sentAt) } : undefined;
    }
    case 'ChatMessageRead': {
      const { data } = event as ChatMessageRead;
      return { type: 'read', messageId: data.messageId, at: Date.parse(data.readAt) };
    }
    case 'MembersAdded':
      return { type: 'members_added', members: (event as MembersAdded).data.members.map((m) => `${m.kind}:${m.id}`) };
    case 'MemberJoined':
      return { type: 'members_added', members: [`${(event as MemberJoined).data.member.kind}:${(event as MemberJoined).data.member.id}`] };
    case 'MemberRemoved':
      return { type: 'member_removed', member: `${(event as MemberRemoved).data.member.kind}:${(event as MemberRemoved).data.member.id}` };
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
export class ActivityConsumer implements ChainedProjection<Map<string, StoredActivity>> {
  readonly name = ACTIVITY_PROJECTION;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: EventLog,
    private readonly wheel: TimerWheel,
  ) {}

  @JetStreamHandler({ stream: STREAMS.conversations.name, durable: 'conversations', filterSubject: 'kite.conv.>', batch: 500 })
  async onEntries(deliveries: Delivery[]): Promise<(Settlement | void)[]> {
    return handleLogDeliveries(this.ds, this.log, this, deliveries);
  }

  stateOf(conversationIds: string[]): Read<Map<string, StoredActivity>> {
    return activitiesOf(conversationIds);
  }

  /** The position is in the activity row, which every run writes. */
  readonly ownPositions = (loaded: Map<string, StoredActivity>, conversationId: string): number => loaded.get(conversationId)?.position ?? 0;

  async apply(tx: Transaction, runs: ChainRun[], loaded: Map<string, StoredActivity>): Promise<void> {
    const config = await this.configCache.lookups(tx);
    const configurationOf = async (tenant: string, number: string | undefined) => {
      const found = number === undefined ? undefined : await config.number(tenant, number);
      return { number: found, configuration: configurationInForce(found) };
    };
    const decisions: LogAppend[] = [];
    const saved: { conversationId: string; stored: StoredActivity }[] = [];
    const plans: { tenant: string; conversationId: string; planned: Map<string, number> }[] = [];
    for (const { subject, tenant, conversationId, entries } of runs) {
      let stored: StoredActivity = loaded.get(conversationId) ?? emptyActivity(tenant);
      for (const { entry, live } of entries) {
        for (const event of entry.events) {
          if (event.type === 'ContactMessageAppended') stored = { ...stored, number: (event as ContactMessageAppended).data.number };
          const { number, configuration } = await configurationOf(tenant, stored.number);
          const at = (event as ContactMessageAppended).data.receivedAt;
          const fact = await factOf(event, async () => (configuration ? periodAt(configuration.workingHours.schedule, new Date(at), number?.override) : 'working_hours'), configuration);
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
      }
      saved.push({ conversationId, stored: { ...stored, position: entries.at(-1)!.entry.seq } });
      // Timers follow the state in a replay too (planning decides nothing); the wheel fires a timer
      // only once this projection has caught up with the conversation's log.
      plans.push({ tenant, conversationId, planned: plannedTimers(actionsOf((await configurationOf(tenant, stored.number)).configuration), stored.activity) });
    }
    await appendAll(this.log, decisions);
    await saveActivities(tx, saved);
    await syncTimers(tx, plans);
    for (const { planned } of plans) for (const due of planned.values()) this.wheel.armed(due);
  }
}
