import { Inject, Injectable } from '@nestjs/common';
import { type ContactMessageAppended, type ConversationEvent, conversationOfSubject, type TypedEntry } from '@kite/contracts';
import { configurationInForce, messageToRoute, routing, ROUTING_EVENT_TYPES, type RoutingContext, type RoutingConversation } from '@kite/domain';
import { CONVERSATION_LOG, type ConversationLog, type Decision } from '@kite/messaging';
import type { Transaction } from '@kite/persistence';
import { ConfigCache, ConversationLogProcessor, conversationsOf, EventProcessor, faultPoint, type ConfigLookups, type Load, type Received } from '@kite/service-kit';
import { routingStates, saveRoutingStates } from './routing-state.js';

type Entry = TypedEntry<ConversationEvent>;
type States = Map<string, RoutingConversation>;

/**
 * Reads the conversation logs in order and keeps each conversation's membership; on each contact
 * message it decides (R1–R9) and records MembersAdded or BotReplyRequested: on `kite.out`, then in
 * the conversation's log. The decision is folded into the state at once, so the next message sees
 * it; folding it again when it comes back changes nothing.
 */
@Injectable()
@EventProcessor()
export class ConversationRoutingProcessor extends ConversationLogProcessor<States> {
  readonly name = 'conversations';

  constructor(
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: ConversationLog,
  ) {
    super();
  }

  /** Contact messages and membership; not routing's own decisions, folded when they were made. */
  concerns(entry: Entry): boolean {
    return entry.events.some((e) => ROUTING_EVENT_TYPES.has(e.type) && !(e.type === 'MembersAdded' && e.data.reason === 'routing'));
  }

  load(entries: readonly Received<Entry>[]): Load<States> {
    const read = routingStates(conversationsOf(entries));
    return { statements: [read.statement], decode: ([rows]) => read.decode(rows!) };
  }

  async handle(tx: Transaction, entries: readonly Received<Entry>[], states: States): Promise<void> {
    const config = await this.configCache.lookups(tx);
    const decisions: Decision[] = [];
    const changed = new Map<string, { tenant: string; conversationId: string; state: RoutingConversation }>();
    for (const { item, subject, live } of entries) {
      const conversationId = conversationOfSubject(subject);
      let state = states.get(conversationId) ?? routing.initialState;
      for (const event of item.events) {
        const message = live ? messageToRoute(event) : undefined;
        if (message) {
          const decided = routing.decide({ message, context: await this.contextOf(config, message) }, state);
          if (decided.length) decisions.push({ subject, events: decided });
          for (const d of decided) state = routing.evolve(state, d);
        }
        state = routing.evolve(state, event);
      }
      if (state !== states.get(conversationId)) {
        states.set(conversationId, state);
        changed.set(conversationId, { tenant: item.events[0]!.tenant, conversationId, state });
      }
    }
    await this.log.record(decisions);
    if (decisions.length) faultPoint('routing:after-append');
    await saveRoutingStates(tx, [...changed.values()]);
  }

  /** What routing must know of the message's number and the directory (R1, R2, R4). */
  private async contextOf(config: ConfigLookups, message: ContactMessageAppended): Promise<RoutingContext> {
    const number = await config.number(message.tenant, message.data.number);
    const configuration = configurationInForce(number);
    const groups = [configuration?.workingHours.routing, configuration?.outOfHours?.routing].flatMap((t) => (t?.type === 'group' ? [t.serviceId] : []));
    const agents = new Map<string, readonly string[]>();
    for (const g of groups) agents.set(g, await config.groupAgents(message.tenant, g));
    return { configuration, override: number?.override, groupAgents: (id) => agents.get(id) ?? [] };
  }
}
