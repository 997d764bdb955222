import type { Member } from '@kite/contracts';
import { withNew } from '../lists.js';

/**
 * Routing's view of one conversation: who is a member now, which bots were ever members (R5), and
 * which bots an agent removed (R7: inactive for good in this conversation).
 */
export interface RoutingConversation {
  members: readonly string[];
  botsEverPresent: readonly string[];
  inactiveBots: readonly string[];
}

export const initialRoutingConversation = (): RoutingConversation => ({ members: [], botsEverPresent: [], inactiveBots: [] });

export const memberKey = (m: Member): string => `${m.kind}:${m.id}`;

export type MembershipEvent =
  | { type: 'MembersAdded'; data: { members: readonly Member[] } }
  | { type: 'MemberJoined'; data: { member: Member } }
  | { type: 'MemberRemoved'; data: { member: Member; by: Member } };

function join(state: RoutingConversation, joined: readonly Member[]): RoutingConversation {
  const members = withNew(state.members, joined.map(memberKey));
  const botsEverPresent = withNew(state.botsEverPresent, joined.filter((m) => m.kind === 'bot').map((m) => m.id));
  return members === state.members && botsEverPresent === state.botsEverPresent ? state : { ...state, members, botsEverPresent };
}

/**
 * The events routing decides on (a contact message, R1–R7) or folds (membership): an entry with
 * none of them changes nothing in routing's state.
 */
export const ROUTING_EVENT_TYPES: ReadonlySet<string> = new Set(['ContactMessageAppended', 'MembersAdded', 'MemberJoined', 'MemberRemoved']);

/**
 * Folds membership facts; any other event leaves the state as it is. Idempotent for replays. A fact
 * that changes nothing gives back the same state, so a batch that changed none of it does not write it.
 */
export function evolveRouting(state: RoutingConversation, event: MembershipEvent | { type: string }): RoutingConversation {
  const e = event as MembershipEvent;
  switch (e.type) {
    case 'MembersAdded':
      return join(state, e.data.members);
    case 'MemberJoined':
      return join(state, [e.data.member]);
    case 'MemberRemoved': {
      const key = memberKey(e.data.member);
      const removedBotByAgent = e.data.member.kind === 'bot' && e.data.by.kind === 'agent';
      const members = state.members.includes(key) ? state.members.filter((m) => m !== key) : state.members;
      const inactiveBots = removedBotByAgent ? withNew(state.inactiveBots, [e.data.member.id]) : state.inactiveBots;
      return members === state.members && inactiveBots === state.inactiveBots ? state : { ...state, members, inactiveBots };
    }
    default:
      return state;
  }
}
