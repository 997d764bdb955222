import { JetStreamApiError, type ApiError } from '@nats-io/jetstream';
import { createInbox, headers as makeHeaders, type Msg, type NatsConnection } from '@nats-io/nats-core';
import { inboxPrefix } from './connection.js';
import { NatsUnavailableError } from './unavailable.js';

/** What the stream answered: where it stored the message, or that it had it already. */
export interface StoredAck {
  stream: string;
  seq: number;
  /** The message id was seen inside the stream's duplicate window: nothing new was stored. */
  duplicate: boolean;
}

export interface AckedPublishOptions {
  /** `Nats-Msg-Id`: a second message with it inside the duplicate window is not stored again. */
  msgID: string;
  /** `Nats-Expected-Last-Subject-Sequence`: refused unless the subject's last message is this one. */
  expectLastSubjectSequence?: number;
  headers?: Readonly<Record<string, string>>;
}

interface Waiting {
  resolve: (ack: StoredAck) => void;
  reject: (error: Error) => void;
  subject: string;
  sentAt: number;
}

/**
 * No answer in this time is no answer coming: an acknowledgement takes milliseconds, and a publish
 * sent while its stream elects a leader (a NATS node lost) is never answered, then sent again.
 */
const TIMEOUT_MS = 2_000;
const decoder = new TextDecoder();
const perConnection = new WeakMap<NatsConnection, AckedPublisher>();

/**
 * Publishes to JetStream and waits for the stream's acknowledgement, with every acknowledgement
 * coming back on one inbox subscription. `@nats-io/jetstream`'s publish makes a request per
 * message, and each completed request builds an Error with a stack trace it then drops
 * (`RequestOne.cancel`): 8 % of linking's CPU at 1,000 messages per second, and garbage on top.
 * The protocol is the same: a message with a reply subject, a JSON acknowledgement or an API error
 * (`JetStreamApiError`, so callers tell a wrong last sequence as before); no answer in 2 s, or no
 * stream to answer, is a `NatsUnavailableError`: an outage, waited out, never the message's fault.
 */
export class AckedPublisher {
  private readonly prefix: string;
  /** In the order sent, which is the order they time out in. */
  private readonly waiting = new Map<string, Waiting>();
  private sent = 0;
  /** Times out unanswered publishes; runs only while some wait, so an idle process is not woken for it. */
  private sweep: NodeJS.Timeout | undefined;

  /** The connection's publisher: one inbox subscription serves every writer on it. */
  static of(nc: NatsConnection): AckedPublisher {
    let publisher = perConnection.get(nc);
    if (!publisher) perConnection.set(nc, (publisher = new AckedPublisher(nc)));
    return publisher;
  }

  private constructor(private readonly nc: NatsConnection) {
    this.prefix = `${createInbox(inboxPrefix(nc))}.`;
    // An error ends the subscription (the server refused it: a permissions file without this user's inbox).
    nc.subscribe(`${this.prefix}*`, { callback: (error, msg) => (error ? this.expire(Number.POSITIVE_INFINITY, `no acknowledgement can come: ${error.message}`) : this.answered(msg)) });
    void nc.closed().finally(() => this.expire(Number.POSITIVE_INFINITY, 'the connection to NATS closed'));
  }

  /**
   * Fails every publish still waiting, as unanswered: a stream has elected a new leader, and what
   * was sent to the old one will never be answered; sent again now, it is stored (or found a
   * duplicate) at once instead of after the timeout.
   */
  giveUpWaiting(why: string): void {
    this.expire(Number.POSITIVE_INFINITY, why);
  }

  publish(subject: string, data: string | Uint8Array, options: AckedPublishOptions): Promise<StoredAck> {
    const token = (++this.sent).toString(36);
    const h = makeHeaders();
    h.set('Nats-Msg-Id', options.msgID);
    if (options.expectLastSubjectSequence !== undefined) h.set('Nats-Expected-Last-Subject-Sequence', String(options.expectLastSubjectSequence));
    for (const [name, value] of Object.entries(options.headers ?? {})) h.set(name, value);
    this.sweep ??= setInterval(() => this.expire(performance.now() - TIMEOUT_MS), 250).unref();
    return new Promise<StoredAck>((resolve, reject) => {
      this.waiting.set(token, { resolve, reject, subject, sentAt: performance.now() });
      try {
        this.nc.publish(subject, data, { reply: this.prefix + token, headers: h });
      } catch (e) {
        this.waiting.delete(token);
        reject(e as Error);
      }
    });
  }

  private answered(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    const waiting = this.waiting.get(token);
    if (!waiting) return; // answered after it timed out
    this.waiting.delete(token);
    if (msg.headers?.code === 503) return waiting.reject(new NatsUnavailableError(`no stream takes messages on ${waiting.subject} now`));
    try {
      const answer = JSON.parse(decoder.decode(msg.data)) as Partial<StoredAck> & { error?: ApiError };
      if (answer.error) return waiting.reject(new JetStreamApiError(answer.error));
      if (!answer.stream || typeof answer.seq !== 'number') return waiting.reject(new Error(`not a JetStream acknowledgement for ${waiting.subject}: ${decoder.decode(msg.data)}`));
      waiting.resolve({ stream: answer.stream, seq: answer.seq, duplicate: answer.duplicate === true });
    } catch (e) {
      waiting.reject(e as Error);
    }
  }

  private expire(sentBefore: number, why = `no acknowledgement within ${TIMEOUT_MS} ms`): void {
    for (const [token, waiting] of this.waiting) {
      if (waiting.sentAt > sentBefore) return;
      this.waiting.delete(token);
      waiting.reject(new NatsUnavailableError(`publish to ${waiting.subject}: ${why}`));
    }
    if (this.waiting.size === 0) {
      clearInterval(this.sweep);
      this.sweep = undefined;
    }
  }
}
