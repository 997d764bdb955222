import type { CallEnded, ConsentSettings, ConversationRequested, MessageReceived } from '@kite/contracts';
import { conversationIdFor, detachableNumbersOf, inboundConversationOf, rejectionOf, type NumberRoute, type OutboundContext } from '@kite/domain';
import type { EventLog } from '@kite/messaging';
import type { DataSource } from '@kite/persistence';
import { numberNow, type ConfigCache, type ConfigLookups, type HeldState, type Load, type NumberRecord, type Received } from '@kite/service-kit';
import { BatchLinks, conversationLinks, handledBefore, handledKey, type ConversationLink, type Handled } from '../conversations/conversation-links.js';
import { conversationViews } from '../conversations/conversation-store.js';
import { numberPositions, type NumberRef } from '../conversations/number-links.js';
import type { ContactEvent } from './contact-events.js';

/** What the contacts processor holds by key: a conversation's links ('none': it does not exist), or a message or call handled (`handledKey`). */
export type Held = ConversationLink | 'none' | 'handled';

type RequestContext = OutboundContext & { serviceKnown: boolean };
/** A number a new conversation may be given, with its configuration's position and the last change its detaching applied (L6). */
type DetachableNumber = NumberRef & { version: number | undefined; detachedThrough: number | undefined };

/** Each event with what its decision needs to know beyond the conversations. */
export type Looked =
  | { kind: 'message'; message: MessageReceived; route: NumberRoute | undefined; configuration: 'current' | 'behind'; consentSettings: ConsentSettings; conversationId: string | undefined }
  | { kind: 'call'; call: CallEnded; conversationId: string; context: OutboundContext }
  | { kind: 'request'; request: ConversationRequested; conversationId: string; context: RequestContext; members: readonly string[]; detachable: DetachableNumber[] };

/** A decision that gave a conversation a number, on the number's configuration as of `since` (L6, checked where it commits). */
export interface NumberGiven extends NumberRef {
  since: number;
  /** The conversation's service, as the decision had it. */
  serviceId: string;
  link: ConversationLink;
}

/** What a batch is decided on. */
export interface Contacts {
  looked: Looked[];
  links: BatchLinks;
  /** The messages and calls handled before (`handledKey`); the batch adds its own. */
  handled: Set<string>;
  /** What to hold once the batch is decided: each partition's conversations, messages and calls. */
  conversationsOf: Map<number, Set<string>>;
  handledOf: Map<number, Set<string>>;
}

const routeOf = (found: NumberRecord | undefined): NumberRoute | undefined =>
  found && { number: found.number, channels: found.channels, status: found.status, linkedServiceId: found.configuration?.linkedServiceId, version: found.version };

/** What makes a message or a call handled once. */
export const claimOf = (l: Looked): Handled | undefined =>
  l.kind === 'message' ? { kind: 'message', tenant: l.message.tenant, id: l.message.data.messageId } : l.kind === 'call' ? { kind: 'call', tenant: l.call.tenant, id: l.call.data.callId } : undefined;

function add(into: Map<number, Set<string>>, partition: number, key: string): void {
  const keys = into.get(partition);
  if (keys) keys.add(key);
  else into.set(partition, new Set([key]));
}

/** What the events need from the configuration (cached), before anything is read. */
async function lookUp(config: ConfigLookups, event: ContactEvent): Promise<Looked> {
  const { tenant } = event;
  switch (event.type) {
    case 'MessageReceived':
      return { kind: 'message', message: event, route: routeOf(await config.number(tenant, event.data.to)), configuration: 'current', consentSettings: await config.consentSettings(tenant), conversationId: undefined };
    case 'CallEnded':
      return { kind: 'call', call: event, conversationId: conversationIdFor(tenant, event.data.contact, event.data.serviceId), context: await config.outboundContext(tenant, event.data.serviceId) };
    case 'ConversationRequested': {
      const context = await config.outboundContext(tenant, event.data.serviceId);
      const detachable = detachableNumbersOf(event.data.serviceId, context.numbers).map(({ number, version }) => ({ tenant, number, version, detachedThrough: undefined }));
      return { kind: 'request', request: event, conversationId: conversationIdFor(tenant, event.data.contact, event.data.serviceId), context, members: [], detachable };
    }
  }
}

/**
 * A message the cached configuration would reject is looked at again in the read model itself,
 * which is `behind` while the configuration stream holds a change to its number (or its tenant's
 * directory) not applied here yet (L2 then has it wait). A number's first message, sent the
 * moment the administrator configured it, links instead of being rejected.
 */
async function lookAgainBeforeRejecting(ds: DataSource, configurationLog: EventLog, looked: Looked[]): Promise<void> {
  const rejected = looked.flatMap((l) => (l.kind === 'message' && rejectionOf(l.message, l.route) ? [l] : []));
  const lookups = new Map<string, ReturnType<typeof numberNow>>();
  for (const { message } of rejected) {
    const key = `${message.tenant} ${message.data.to}`;
    if (!lookups.has(key)) lookups.set(key, numberNow(ds, configurationLog, message.tenant, message.data.to));
  }
  for (const l of rejected) {
    const now = await lookups.get(`${l.message.tenant} ${l.message.data.to}`)!;
    if (now.behind) l.configuration = 'behind';
    else l.route = routeOf(now.number);
  }
}

interface Sources {
  cache: ConfigCache;
  ds: DataSource;
  configurationLog: EventLog;
  held: HeldState<Held>;
}

/**
 * What the events need: the configuration (cached), then, in one round trip, whatever is not held
 * of their conversations' links and of their message and call ids, the position of each number's
 * last change L6's detaching applied (`number-links.ts`) and, for agents' requests, the members.
 */
export async function lookUpContacts(events: readonly Received<ContactEvent>[], { cache, ds, configurationLog, held }: Sources): Promise<Load<Contacts>> {
  const config = await cache.lookups(ds);
  const looked: Looked[] = [];
  for (const { item } of events) looked.push(await lookUp(config, item));
  await lookAgainBeforeRejecting(ds, configurationLog, looked);
  const known = new Map<string, ConversationLink>();
  const handled = new Set<string>();
  const conversationsOf = new Map<number, Set<string>>();
  const handledOf = new Map<number, Set<string>>();
  const missing = new Set<string>();
  const unclaimed: Handled[] = [];
  const numbers: NumberRef[] = [];
  const requested: string[] = [];
  looked.forEach((l, i) => {
    const { partition } = events[i]!;
    const claim = claimOf(l);
    if (claim) {
      const key = handledKey(claim);
      add(handledOf, partition, key);
      if (held.get(partition, key) === 'handled') handled.add(key);
      else unclaimed.push(claim);
    }
    if (l.kind === 'message') {
      l.conversationId = inboundConversationOf(l.message, l.route);
      if (l.conversationId) numbers.push({ tenant: l.message.tenant, number: l.message.data.to });
    }
    if (l.kind === 'request') {
      numbers.push(...l.detachable);
      requested.push(l.conversationId);
    }
    if (!l.conversationId) return;
    add(conversationsOf, partition, l.conversationId);
    const link = held.get(partition, l.conversationId);
    if (link === undefined) missing.add(l.conversationId);
    else if (link !== 'none' && link !== 'handled') known.set(l.conversationId, link);
  });
  const messages = handledBefore('message', unclaimed);
  const calls = unclaimed.some((c) => c.kind === 'call') ? handledBefore('call', unclaimed) : undefined;
  const positions = numberPositions(numbers);
  const links = conversationLinks([...missing]);
  const members = requested.length ? conversationViews(requested) : undefined;
  return {
    statements: [messages.statement, positions.statement, links.statement, ...(calls ? [calls.statement] : []), ...(members ? [members.statement] : [])],
    decode: ([messageRows, numberRows, linkRows, ...rest]) => {
      for (const key of messages.decode(messageRows!)) handled.add(key);
      if (calls) for (const key of calls.decode(rest.shift()!)) handled.add(key);
      const views = members ? members.decode(rest.shift()!) : new Map<string, { members: string[] }>();
      for (const [id, link] of links.decode(linkRows!)) known.set(id, link);
      const detachedThrough = positions.decode(numberRows!);
      for (const l of looked) {
        if (l.kind === 'message' && l.route) l.route = { ...l.route, detachedThrough: detachedThrough({ tenant: l.message.tenant, number: l.message.data.to }) };
        if (l.kind === 'request') {
          l.detachable = l.detachable.map((n) => ({ ...n, detachedThrough: detachedThrough(n) }));
          // Its members as the read model has them: one the projection has not reached yet joins again, which changes nothing.
          l.members = views.get(l.conversationId)?.members ?? [];
        }
      }
      return { looked, links: new BatchLinks(known), handled, conversationsOf, handledOf };
    },
  };
}
