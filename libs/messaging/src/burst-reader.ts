import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import { createInbox, nanos, type Msg, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { inboxPrefix } from './connection.js';
import { CONSUMER_API_TIMEOUT_MS, consumerAnswers, openingConsumer, PULL_TIMING, ReaderStalled, STALL_MS, startingAt, type Delivery, type NatsChange } from './stream-reader.js';

/** How long the consumer outlives its reader's last pull: a reader that died leaves nothing behind for long. */
const INACTIVE_MS = 60_000;

/** The pull's answer that ends it: nothing (more) waiting (404), expired (408). */
const ENDS_PULL = new Set([404, 408]);

/**
 * Reads a stream in order from `fromSeq` in bursts, for a processor off the path to an answer: it
 * waits for a message, lets more gather on the server for `everyMs`, then takes all that wait in
 * one pull (`no_wait`), and again while bursts come. NATS writes a burst at once and the service
 * wakes once for it, where a consumer that delivers each message as it is stored wakes both for
 * every one. Like `StreamReader`: no acknowledgements, where it stands is kept by its caller, and
 * anything amiss (a delivery missing, the consumer silent or gone) ends it, to be opened again.
 */
export class BurstReader {
  private readonly sub: Subscription;
  /** What the subscription received and `gather` has not taken yet (from `head`). */
  private readonly arrived: Msg[] = [];
  private head = 0;
  private notify: (() => void) | undefined;
  private closed = false;
  private delivered = 0;
  /** Why the subscription ended (a permission refused, the connection closed). */
  private failure: Error | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly consumer: string,
    private readonly everyMs: number,
    private readonly maxMessages: number,
    /** Messages the filter held past the start when the reader began. */
    readonly waitingAtStart: number,
  ) {
    this.sub = nc.subscribe(createInbox(inboxPrefix(nc)), {
      callback: (e, m) => {
        if (e) this.failure ??= e;
        else this.arrived.push(m);
        this.notify?.();
      },
    });
  }

  static open(nc: NatsConnection, stream: string, filterSubject: string, fromSeq: number, everyMs: number, maxMessages = 500): Promise<BurstReader> {
    return openingConsumer(async () => {
      const jsm = await jetstreamManager(nc, { timeout: CONSUMER_API_TIMEOUT_MS });
      const info = await jsm.consumers.add(stream, { ack_policy: AckPolicy.None, filter_subject: filterSubject, mem_storage: true, num_replicas: 1, inactive_threshold: nanos(INACTIVE_MS), ...startingAt(fromSeq) });
      return new BurstReader(nc, stream, info.name, everyMs, maxMessages, info.num_pending);
    });
  }

  /** The messages in stream order, each burst as it came; ends with `ReaderStalled` when the consumer fell silent or lost a delivery. */
  async *bursts(): AsyncGenerator<Delivery[]> {
    while (!this.closed) {
      this.request({ batch: 1, expires: nanos(PULL_TIMING.expires), idle_heartbeat: nanos(PULL_TIMING.idle_heartbeat) });
      const first = await this.gather(1);
      if (first.length === 0) continue; // expired while nothing came: wait again
      // Behind (catching up, a rebuild), the next burst is asked for before this one is handled, so
      // NATS sends it meanwhile; else it is asked for once messages have gathered.
      let behind = first[0]!.pending > 0;
      if (behind) this.requestBurst();
      yield first;
      for (let since = performance.now(); !this.closed; since = performance.now()) {
        if (!behind) {
          await new Promise((r) => setTimeout(r, Math.max(0, this.everyMs - (performance.now() - since))));
          if (this.closed) break;
          this.requestBurst();
        }
        const burst = await this.gather(this.maxMessages);
        if (burst.length === 0) break;
        behind = burst.at(-1)!.pending > 0;
        if (behind) this.requestBurst();
        yield burst;
      }
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notify?.();
    this.sub.unsubscribe();
    const jsm = await jetstreamManager(this.nc, { timeout: CONSUMER_API_TIMEOUT_MS }).catch(() => undefined);
    await jsm?.consumers.delete(this.stream, this.consumer).catch(() => undefined);
  }

  /** Ends the reader (`ReaderStalled`) after a reconnect, or when its consumer does not answer (`consumerAnswers`): gone with its node. */
  async heed({ why, reconnected }: NatsChange): Promise<void> {
    if (!reconnected && (await consumerAnswers(this.nc, this.stream, this.consumer))) return;
    this.failure ??= this.stall(`${reconnected ? 'was read through the old connection' : 'does not answer'} (${why})`);
    this.notify?.();
  }

  private request(pull: Record<string, unknown>): void {
    this.nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${this.stream}.${this.consumer}`, JSON.stringify(pull), { reply: this.sub.getSubject() });
  }

  /** All that waits, up to `maxMessages`, at once. */
  private requestBurst(): void {
    this.request({ batch: this.maxMessages, no_wait: true });
  }

  /** What the pull asked for brings, until it ends (`ENDS_PULL`) or `batch` came. */
  private async gather(batch: number): Promise<Delivery[]> {
    const got: Delivery[] = [];
    let lastSign = performance.now();
    while (got.length < batch) {
      if (this.failure) throw this.failure;
      if (this.closed) return [];
      const m = this.arrived[this.head];
      if (!m) {
        if (performance.now() - lastSign > STALL_MS) throw this.stall('sent nothing, not even a heartbeat');
        await new Promise<void>((r) => {
          const timer = setTimeout(r, STALL_MS);
          this.notify = () => {
            clearTimeout(timer);
            r();
          };
        });
        this.notify = undefined;
        continue;
      }
      if (++this.head === this.arrived.length) this.arrived.length = this.head = 0;
      lastSign = performance.now();
      // Only a status has no data: the headers of an entry are not read (parsing them costs).
      const code = m.data.length === 0 ? (m.headers?.code ?? 0) : 0;
      if (code !== 0) {
        if (code === 100) continue; // a heartbeat
        if (ENDS_PULL.has(code)) break;
        throw this.stall(`answered ${code} ${m.headers?.description ?? ''}`);
      }
      const info = deliveryInfo(m.reply ?? '');
      if (info.deliverySequence !== ++this.delivered) throw this.stall(`delivered ${info.deliverySequence} after ${this.delivered - 1}: a delivery was lost`);
      got.push({ subject: m.subject, seq: info.streamSequence, data: m.data, pending: info.pending });
    }
    return got;
  }

  private stall(why: string): ReaderStalled {
    void this.close();
    return new ReaderStalled(`${this.stream}'s consumer ${why}`);
  }
}

/** The stream and delivery sequences and what is left to deliver, from a delivery's acknowledgement subject. */
function deliveryInfo(reply: string): { streamSequence: number; deliverySequence: number; pending: number } {
  const tokens = reply.split('.');
  // $JS.ACK.<stream>.<consumer>.<count>.<stream seq>.<delivery seq>.<time>.<pending>, or with a domain and an account hash after ACK and a token at the end.
  const at = tokens.length === 9 ? 4 : 6;
  if (tokens[0] !== '$JS' || tokens[1] !== 'ACK' || tokens.length < at + 5) throw new ReaderStalled(`not a JetStream delivery: ${reply}`);
  return { streamSequence: Number(tokens[at + 1]), deliverySequence: Number(tokens[at + 2]), pending: Number(tokens[at + 4]) };
}
