import type { Channel, ConsentChanged, ContactMessageAppended, ConversationCreated, ConversationLinked, MessageRejected, OutboundMessageRequested } from '@kite/contracts';

/** What linking knows of one number: its channels (directory) and its configuration's status. */
export interface NumberRoute {
  number: string;
  channels: readonly Channel[];
  status: 'not_configured' | 'partially_configured' | 'configured';
  linkedServiceId?: string | undefined;
  /** Its configuration's position in the configuration stream, as read. */
  version?: number | undefined;
  /** L6: the position of the last change to the number that its detaching applied here (`detachingAgrees`). */
  detachedThrough?: number | undefined;
}

/** Linking's view of one conversation: whether it exists and which channel/number pairs it uses. */
export type LinkingConversation =
  | { status: 'none' }
  | { status: 'open'; conversationId: string; links: readonly string[] };

export const linkOf = (channel: string, number: string): string => `${channel}:${number}`;

/** What an inbound message decides in its conversation: created, linked, the message appended, and a keyword's reply (P4). */
export type LinkingEvent = ConversationCreated | ConversationLinked | ContactMessageAppended | OutboundMessageRequested;

export function evolveLinking(state: LinkingConversation, event: LinkingEvent | { type: string }): LinkingConversation {
  switch (event.type) {
    case 'ConversationCreated': {
      const { data } = event as ConversationCreated;
      if (state.status === 'open') return state;
      const links = data.channel === 'call' || !data.number ? [] : [linkOf(data.channel, data.number)];
      return { status: 'open', conversationId: data.conversationId, links };
    }
    case 'ConversationLinked': {
      const { data } = event as ConversationLinked;
      if (state.status !== 'open') return state;
      const link = linkOf(data.channel, data.number);
      return state.links.includes(link) ? state : { ...state, links: [...state.links, link] };
    }
    default:
      return state;
  }
}

export type InboundDecision =
  | { kind: 'waiting'; reason: string }
  | { kind: 'rejected'; events: [MessageRejected]; consent?: ConsentChanged | undefined }
  | { kind: 'appended'; conversationKey: { contact: string; serviceId: string }; events: LinkingEvent[]; consent?: ConsentChanged | undefined };
