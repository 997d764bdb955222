import { Inject, Injectable } from '@nestjs/common';
import { type ContactMessageAppended, type ConversationEvent, conversationOfSubject, type TypedEntry } from '@kite/contracts';
import { configurationInForce, isOptedOut, messageToRoute, routing, ROUTING_EVENT_TYPES, type RoutingContext, type RoutingConversation } from '@kite/domain';
import { CONVERSATION_LOG, type ConversationLog, type Decision } from '@kite/messaging';
import type { DataSource, Writes } from '@kite/persistence';
import { ConfigCache, ConversationLogProcessor, DATA_SOURCE, EventProcessor, faultPoint, HeldState, type ConfigLookups, type HoldingProcessor, type Load, type Received } from '@kite/service-kit';
import { routingStates, saveRoutingStates } from './routing-state.js';

type Entry = TypedEntry<ConversationEvent>;
type States = Map<string, RoutingConversation>;

/**
 * Reads the conversation logs in order and keeps each conversation's membership; on each contact
 * message it decides (R1–R9) and records MembersAdded or BotReplyRequested: on `kite.out`, then in
 * the conversation's log. The decision is folded into the state at once, so the next message sees
 * it; folding it again when it comes back changes nothing. Its answer is on the path from the
 * contact's message, so it holds its conversations' state and commits every 100 ms.
 */
@Injectable()
@EventProcessor()
export class ConversationRoutingProcessor extends ConversationLogProcessor<States> implements HoldingProcessor<Entry, States> {
  readonly name = 'conversations';
  readonly commitEvery = 100;
  readonly held = new HeldState<RoutingConversation>();

  constructor(
    private readonly configCache: ConfigCache,
    @Inject(CONVERSATION_LOG) private readonly log: ConversationLog,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {
    super();
  }

  /** Contact messages and membership; not routing's own decisions, folded when they were made. */
  concerns(entry: Entry): boolean {
    return entry.events.some((e) => ROUTING_EVENT_TYPES.has(e.type) && !(e.type === 'MembersAdded' && e.data.reason === 'routing'));
  }

  /** What is held; a conversation whose log starts in the batch starts empty; the rest is read. */
  load(entries: readonly Received<Entry>[]): Load<States> {
    const known: States = new Map();
    const missing = new Set<string>();
    for (const { subject, partition, item } of entries) {
      const id = conversationOfSubject(subject);
      if (known.has(id) || missing.has(id)) continue;
      const held = this.held.get(partition, id);
      if (held) known.set(id, held);
      else if (item.events.some((e) => e.type === 'ConversationCreated')) known.set(id, routing.initialState);
      else missing.add(id);
    }
    if (missing.size === 0) return { statements: [], decode: () => known };
    const read = routingStates([...missing]);
    return { statements: [read.statement], decode: ([rows]) => new Map([...known, ...read.decode(rows!)]) };
  }

  async handle(writes: Writes, entries: readonly Received<Entry>[], states: States): Promise<void> {
    const config = await this.configCache.lookups(this.ds);
    const decisions: Decision[] = [];
    const changed = new Map<string, { tenant: string; conversationId: string; state: RoutingConversation }>();
    for (const { item, subject, partition, live } of entries) {
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
      this.held.set(partition, conversationId, state);
      if (state !== states.get(conversationId)) {
        states.set(conversationId, state);
        changed.set(conversationId, { tenant: item.events[0]!.tenant, conversationId, state });
      }
    }
    await this.log.record(decisions);
    if (decisions.length) faultPoint('routing:after-append');
    await saveRoutingStates(writes, [...changed.values()]);
  }

  /** What routing must know of the message's number and the directory (R1, R2, R4). */
  private async contextOf(config: ConfigLookups, message: ContactMessageAppended): Promise<RoutingContext> {
    const number = await config.number(message.tenant, message.data.number);
    const configuration = configurationInForce(number);
    const groups = [configuration?.workingHours.routing, configuration?.outOfHours?.routing].flatMap((t) => (t?.type === 'group' ? [t.serviceId] : []));
    const agents = new Map<string, readonly string[]>();
    for (const g of groups) agents.set(g, await config.groupAgents(message.tenant, g));
    return { configuration, override: number?.override, groupAgents: (id) => agents.get(id) ?? [], contactOptedOut: await this.optedOut(config, message) };
  }

  /** P3: whether the contact opted out of messages from the number they wrote to. */
  private async optedOut(config: ConfigLookups, message: ContactMessageAppended): Promise<boolean> {
    const { tenant } = message;
    const { contact, number, serviceId } = message.data;
    const changes = await config.consentChanges(tenant, contact);
    if (changes.length === 0) return false;
    const { scope } = await config.consentSettings(tenant);
    const { numbers } = await config.outboundContext(tenant, serviceId);
    return isOptedOut(changes, number, scope, (n) => numbers.find((x) => x.number === n)?.linkedServiceId);
  }
}
