import { Inject, Injectable } from '@nestjs/common';
import { STREAMS, type ContactMessageAppended } from '@kite/contracts';
import { decideRouting, evolveRouting, ROUTING_EVENT_TYPES, type RoutingConversation } from '@kite/domain';
import { appendAll, CONVERSATION_LOG, JetStreamHandler, type Appended, type Delivery, type EventLog, type LogAppend, type Settlement } from '@kite/messaging';
import type { DataSource, Read, Transaction } from '@kite/persistence';
import { ConfigCache, configurationInForce, DATA_SOURCE, faultPoint, handleLogDeliveries, type ConfigLookups, type ChainedProjection, type ChainRun } from '@kite/service-kit';
import { routingStates, saveRoutingStates } from './routing-state.js';

/**
 * Reads every conversation's log in order, keeps its membership, and on each contact message
 * appends routing's decision (MembersAdded, BotReplyRequested) to the same log. The decision is
 * folded into the state at once, so the next message sees it even before it comes back, and when it
 * does come back it costs no transaction; nor do entries routing has no use for (reads, replies).
 */
@Injectable()
export class ConversationRoutingConsumer implements ChainedProjection<Map<string, RoutingConversation>> {
  readonly name = 'routing-conversations';
  readonly concerns = ROUTING_EVENT_TYPES;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: EventLog,
  ) {}

  @JetStreamHandler({ stream: STREAMS.conversations.name, durable: 'conversations', filterSubject: 'kite.conv.>', batch: 500 })
  async onEntries(deliveries: Delivery[]): Promise<(Settlement | void)[]> {
    return handleLogDeliveries(this.ds, this.log, this, deliveries);
  }

  stateOf(conversationIds: string[]): Read<Map<string, RoutingConversation>> {
    return routingStates(conversationIds);
  }

  async apply(tx: Transaction, runs: ChainRun[], states: Map<string, RoutingConversation>): Promise<Appended[]> {
    const config = await this.configCache.lookups(tx);
    const decisions: LogAppend[] = [];
    const saved: { tenant: string; conversationId: string; state: RoutingConversation }[] = [];
    for (const { subject, tenant, conversationId, entries } of runs) {
      let state = states.get(conversationId)!;
      for (const { entry, live } of entries) {
        for (const event of entry.events) {
          if (event.type === 'ContactMessageAppended' && live) {
            const decided = await this.route(config, event as ContactMessageAppended, state);
            if (decided.length) decisions.push({ subject, events: decided });
            for (const d of decided) state = evolveRouting(state, d);
          }
          state = evolveRouting(state, event);
        }
      }
      if (state !== states.get(conversationId)) saved.push({ tenant, conversationId, state });
    }
    const appended = await appendAll(this.log, decisions);
    if (decisions.length) faultPoint('routing:after-append');
    await saveRoutingStates(tx, saved);
    return appended;
  }

  private async route(config: ConfigLookups, message: ContactMessageAppended, state: RoutingConversation) {
    const number = await config.number(message.tenant, message.data.number);
    const configuration = configurationInForce(number);
    const target = configuration?.workingHours.routing;
    const outOfHours = configuration?.outOfHours?.routing;
    const groups = [target, outOfHours].filter((t) => t?.type === 'group').map((t) => (t as { serviceId: string }).serviceId);
    const agents = new Map<string, readonly string[]>();
    for (const g of groups) agents.set(g, await config.groupAgents(message.tenant, g));
    return decideRouting(message, state, { configuration, override: number?.override, groupAgents: (id) => agents.get(id) ?? [] });
  }
}
