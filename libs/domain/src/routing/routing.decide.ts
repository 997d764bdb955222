import { deterministicId, makeEvent, type BotReplyRequested, type ContactMessageAppended, type Member, type MembersAdded, type NumberConfiguration, type RoutingTarget } from '@kite/contracts';
import { periodAt, type Override, type Period } from '../working-hours/working-hours.js';
import { memberKey, type RoutingConversation } from './routing.js';

/** What routing needs to know besides the conversation: the number's configuration and the call groups. */
export interface RoutingContext {
  configuration: NumberConfiguration | undefined;
  override?: Override | undefined;
  /** Agents of each service (call group) of the tenant's directory. */
  groupAgents: (serviceId: string) => readonly string[];
  /** P3: the contact opted out of messages from the number they wrote to: no bot is asked to reply. */
  contactOptedOut?: boolean | undefined;
}

export type RoutingEvent = MembersAdded | BotReplyRequested;

/** R1, R2: the period at the message's `receivedAt` and the routing target that applies in it. */
export function routingTargetAt(configuration: NumberConfiguration, instant: Date, override?: Override): { period: Period; target: RoutingTarget | undefined } {
  const period = periodAt(configuration.workingHours.schedule, instant, override);
  const target = period === 'working_hours' ? configuration.workingHours.routing : configuration.outOfHours?.routing;
  return { period, target };
}

function membersToAdd(target: RoutingTarget, state: RoutingConversation, context: RoutingContext): Member[] {
  switch (target.type) {
    case 'agent': // R3: re-added whenever absent, whoever else is present.
      return state.members.includes(memberKey({ kind: 'agent', id: target.agentId })) ? [] : [{ kind: 'agent', id: target.agentId }];
    case 'group': {
      // R4: all of the group's agents, but only when none of them is present.
      const agents = [...new Set(context.groupAgents(target.serviceId))];
      const anyPresent = agents.some((id) => state.members.includes(memberKey({ kind: 'agent', id })));
      return anyPresent ? [] : agents.map((id) => ({ kind: 'agent' as const, id }));
    }
    case 'bot': // R5, R7: added once ever, and never after an agent removed it.
      if (state.inactiveBots.includes(target.botId) || state.botsEverPresent.includes(target.botId)) return [];
      return [{ kind: 'bot', id: target.botId }];
    default: {
      const never: never = target;
      return never;
    }
  }
}

/**
 * R1–R9 for one contact message (agents' and bots' messages never reach here: R9). Members that
 * others added change nothing (R8): only current membership is read.
 */
export function decideRouting(message: ContactMessageAppended, state: RoutingConversation, context: RoutingContext): RoutingEvent[] {
  if (!context.configuration) return [];
  const { target } = routingTargetAt(context.configuration, new Date(message.data.receivedAt), context.override);
  if (!target) return [];
  const { tenant } = message;
  const { conversationId, messageId } = message.data;
  const cause = { cause: message };
  const events: RoutingEvent[] = [];
  const added = membersToAdd(target, state, context);
  if (added.length > 0) {
    events.push(makeEvent('MembersAdded', tenant, { conversationId, members: added, reason: 'routing', silent: false }, { ...cause, id: deterministicId(message.id, 'routing', 'members') }));
  }
  // P3, P5: a keyword message, or a contact who opted out, gets no bot's reply (members are still added).
  const botMayReply = !message.data.keyword && !context.contactOptedOut;
  if (target.type === 'bot' && botMayReply && !state.inactiveBots.includes(target.botId)) {
    const isMember = state.members.includes(memberKey({ kind: 'bot', id: target.botId })) || added.length > 0;
    if (isMember) {
      // R5, R6: only the bot the current period targets is asked to reply.
      events.push(makeEvent('BotReplyRequested', tenant, { conversationId, botId: target.botId, messageId }, { ...cause, id: deterministicId(message.id, 'routing', 'bot-reply') }));
    }
  }
  return events;
}
