import type { ConversationEvent } from '@kite/contracts';
import type { Decider } from '../decider.js';
import { decideRouting, type RoutingContext } from './routing.decide.js';
import { evolveRouting, initialRoutingConversation, type RoutingConversation } from './routing.js';

/** A contact's message to route, with what routing must know of its number and the directory. */
export interface RouteMessage {
  message: Extract<ConversationEvent, { type: 'ContactMessageAppended' }>;
  context: RoutingContext;
}

/**
 * R9: of a conversation's events only the contact's messages are routed; agents' and bots' messages
 * (`ChatMessageSent`), and everything else, never are.
 */
export function messageToRoute(event: ConversationEvent): RouteMessage['message'] | undefined {
  return event.type === 'ContactMessageAppended' ? event : undefined;
}

/** Routing (R1–R9): a contact's message decides who joins; the conversation's membership facts are its state. */
export const routing: Decider<RouteMessage, ConversationEvent, RoutingConversation> = {
  initialState: initialRoutingConversation(),
  decide: ({ message, context }, state) => decideRouting(message, state, context),
  evolve: evolveRouting,
};
