import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';

/** Publishes events on the bus; the event id is the `Nats-Msg-Id`, so a republish is dropped. */
export class EventPublisher {
  private readonly js: JetStreamClient;
  constructor(nc: NatsConnection) {
    this.js = jetstream(nc);
  }

  async publish(subject: string, event: { id: string }): Promise<{ seq: number; duplicate: boolean }> {
    const ack = await this.js.publish(subject, JSON.stringify(event), { msgID: event.id });
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  async publishRaw(subject: string, payload: string | Uint8Array, msgID: string): Promise<void> {
    await this.js.publish(subject, payload, { msgID });
  }
}
