import { CONFIG_EVENT_TYPES, type ConfigEvent, CONVERSATION_EVENT_TYPES, type ConversationEvent, conversationOfSubject, decodeEntry, STREAMS, type TypedEntry } from '@kite/contracts';
import type { Delivery } from '@kite/messaging';
import type { Transaction } from '@kite/persistence';
import type { Load, Processor, Received } from './processor.js';

/**
 * What every reader of the conversation logs shares: the stream, every subject, a replay on a
 * rebuild, entries decoded by the events' own schemas. A processor of the logs says what it loads,
 * decides and writes.
 */
export abstract class ConversationLogProcessor<State> implements Processor<TypedEntry<ConversationEvent>, State> {
  abstract readonly name: string;
  readonly stream = STREAMS.conversations.name;
  readonly filterSubject = 'kite.conv.>';
  readonly replayed = true;

  decode(delivery: Delivery): TypedEntry<ConversationEvent> {
    return decodeEntry(delivery, CONVERSATION_EVENT_TYPES);
  }

  abstract load(entries: readonly Received<TypedEntry<ConversationEvent>>[]): Load<State>;
  abstract handle(tx: Transaction, entries: readonly Received<TypedEntry<ConversationEvent>>[], state: State): Promise<void>;
}

/** The conversations of these entries, each once: the keys of what a processor of the logs loads. */
export const conversationsOf = (entries: readonly { subject: string }[]): string[] => [...new Set(entries.map((e) => conversationOfSubject(e.subject)))];

/**
 * What every reader of the configuration shares: the stream, a replay on a rebuild, entries decoded
 * by the events' own schemas, and one partition, so each service applies the changes in one order.
 */
export abstract class ConfigurationProcessor implements Processor<TypedEntry<ConfigEvent>> {
  abstract readonly name: string;
  readonly stream = STREAMS.config.name;
  readonly filterSubject: string = 'kite.config.>';
  readonly replayed = true;
  readonly partitions = 1;

  decode(delivery: Delivery): TypedEntry<ConfigEvent> {
    return decodeEntry(delivery, CONFIG_EVENT_TYPES);
  }

  abstract handle(tx: Transaction, entries: readonly Received<TypedEntry<ConfigEvent>>[]): Promise<void>;
}
