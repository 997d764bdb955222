import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import { nanos, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';

/** One message read from a stream, with how many more its filter held when it was sent. */
export interface Delivery {
  subject: string;
  seq: number;
  data: Uint8Array;
  headers: MsgHdrs | undefined;
  pending: number;
}

/**
 * How a reader pulls. nats-server 2.9.10 can drop a pull request that expires as a message arrives
 * without the 408 that tells the client, which then waits for deliveries that never come until two
 * idle heartbeats are missed. Pulls that rarely expire, and a heartbeat every 2 s while idle, make
 * that rare and short (docs/architecture.md); each heartbeat wakes the server and the service.
 */
export const PULL_TIMING = { expires: 300_000, idle_heartbeat: 2_000 } as const;

/**
 * Reads a stream in order from `fromSeq` through an ordered consumer: no acknowledgements, no state
 * on the server beyond the consumer itself, and the client recreates it where it stood after a
 * reconnect, a server restart or a leader change. The reader keeps where it stands elsewhere (its
 * checkpoints), so stopping and reading again from there is all a failure needs.
 */
export class StreamReader {
  private constructor(
    private readonly messages: ConsumerMessages,
    /** Messages the filter held past the start when the reader began. */
    readonly waitingAtStart: number,
  ) {}

  static async open(nc: NatsConnection, stream: string, filterSubject: string, fromSeq: number, maxMessages = 1_000): Promise<StreamReader> {
    const start = fromSeq > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq } : { deliver_policy: DeliverPolicy.All };
    const waiting = await waitingFrom(nc, stream, filterSubject, start);
    const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: filterSubject, ...start });
    return new StreamReader(await consumer.consume({ max_messages: maxMessages, ...PULL_TIMING }), waiting);
  }

  async *deliveries(): AsyncGenerator<Delivery> {
    for await (const m of this.messages) yield { subject: m.subject, seq: m.seq, data: m.data, headers: m.headers, pending: m.info.pending };
  }

  async close(): Promise<void> {
    await this.messages.close().catch(() => undefined);
  }
}

/** How many messages the filter holds from the start, through a short-lived consumer. */
async function waitingFrom(nc: NatsConnection, stream: string, filterSubject: string, start: { deliver_policy: DeliverPolicy; opt_start_seq?: number }): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const probe = await jsm.consumers.add(stream, { ack_policy: AckPolicy.None, filter_subject: filterSubject, mem_storage: true, inactive_threshold: nanos(10_000), ...start });
  await jsm.consumers.delete(stream, probe.name).catch(() => undefined);
  return probe.num_pending;
}
