import type { NatsConnection } from '@nats-io/nats-core';
import { AckedPublisher } from './acked-publish.js';

/** Publishes events on the bus; the event id is the `Nats-Msg-Id`, so a republish is dropped. */
export class EventPublisher {
  private readonly publisher: AckedPublisher;
  constructor(nc: NatsConnection) {
    this.publisher = AckedPublisher.of(nc);
  }

  async publish(subject: string, event: { id: string }): Promise<{ seq: number; duplicate: boolean }> {
    const ack = await this.publisher.publish(subject, JSON.stringify(event), { msgID: event.id });
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  async publishRaw(subject: string, payload: string | Uint8Array, msgID: string): Promise<void> {
    await this.publisher.publish(subject, payload, { msgID });
  }
}
