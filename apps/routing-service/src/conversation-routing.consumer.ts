import { Inject, Injectable } from '@nestjs/common';
import { STREAMS, type ContactMessageAppended } from '@kite/contracts';
import { decideRouting, evolveRouting, type RoutingConversation } from '@kite/domain';
import { CONVERSATION_LOG, JetStreamHandler, type Delivery, type EventLog, type LogEntry, type Settlement } from '@kite/messaging';
import type { DataSource, EntityManager } from '@kite/persistence';
import { DATA_SOURCE, faultPoint, findGroupAgents, findNumber, handleLogDelivery, type ChainedProjection } from '@kite/service-kit';
import { loadRoutingState, saveRoutingState } from './routing-state.js';

/**
 * Reads every conversation's log in order, keeps its membership, and on each contact message
 * appends routing's decision (MembersAdded, BotReplyRequested) to the same log. The decision is
 * folded into the state at once, so the next message sees it even before it comes back.
 */
@Injectable()
export class ConversationRoutingConsumer implements ChainedProjection {
  readonly name = 'routing-conversations';

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONVERSATION_LOG) private readonly log: EventLog,
  ) {}

  @JetStreamHandler({ stream: STREAMS.conversations.name, durable: 'conversations', filterSubject: 'kite.conv.>' })
  async onEntry(delivery: Delivery): Promise<Settlement | void> {
    return handleLogDelivery(this.ds, this.log, this, delivery);
  }

  async apply(tx: EntityManager, entry: LogEntry, live: boolean): Promise<void> {
    const first = entry.events[0];
    if (!first) return;
    const conversationId = (first.data as { conversationId: string }).conversationId;
    let state: RoutingConversation = await loadRoutingState(tx, conversationId);
    for (const event of entry.events) {
      if (event.type === 'ContactMessageAppended' && live) {
        const decided = await this.route(tx, event as ContactMessageAppended, state);
        if (decided.length) {
          await this.log.append(entry.subject, decided, undefined);
          faultPoint('routing:after-append');
          for (const d of decided) state = evolveRouting(state, d);
        }
      }
      state = evolveRouting(state, event);
    }
    await saveRoutingState(tx, first.tenant, conversationId, state);
  }

  private async route(tx: EntityManager, message: ContactMessageAppended, state: RoutingConversation) {
    const number = await findNumber(tx, message.tenant, message.data.number);
    const configuration = number?.status === 'not_configured' ? undefined : number?.configuration;
    const target = configuration?.workingHours.routing;
    const outOfHours = configuration?.outOfHours?.routing;
    const groups = [target, outOfHours].filter((t) => t?.type === 'group').map((t) => (t as { serviceId: string }).serviceId);
    const agents = new Map<string, readonly string[]>();
    for (const g of groups) agents.set(g, await findGroupAgents(tx, message.tenant, g));
    return decideRouting(message, state, { configuration, override: number?.override, groupAgents: (id) => agents.get(id) ?? [] });
  }
}
