import { Inject, Injectable } from '@nestjs/common';
import { readEvent, STREAMS, subjects, type ContactOptedOut } from '@kite/contracts';
import { consentOfProviderReport, normaliseE164 } from '@kite/domain';
import { CONFIGURATION_LOG, type Delivery, type EventLog } from '@kite/messaging';
import { EventProcessor, type Processor, type Received } from '@kite/service-kit';

/** A provider's report as linking reads it, its contact in E.164; throws with the reason when it cannot be read. */
function readReport(delivery: Delivery): ContactOptedOut {
  const report = readEvent(delivery.subject, delivery.data, ['ContactOptedOut']);
  const contact = normaliseE164(report.data.contact);
  if (!contact) throw new Error(`data.contact: ${JSON.stringify(report.data.contact)} cannot be read as E.164`);
  return { ...report, data: { ...report.data, contact } };
}

/** P7: an opt-out the provider detected is recorded as the contact's consent change, source `provider`. */
@Injectable()
@EventProcessor()
export class ProviderOptOutsProcessor implements Processor<ContactOptedOut> {
  readonly name = 'provider-opt-outs';
  readonly stream = STREAMS.inbound.name;
  readonly filterSubject = 'kite.in.*.contact.opted_out';
  readonly replayed = false;

  constructor(@Inject(CONFIGURATION_LOG) private readonly configurationLog: EventLog) {}

  keyOf(report: ContactOptedOut): string {
    return `${report.tenant} ${report.data.contact}`;
  }

  decode(delivery: Delivery): ContactOptedOut {
    return readReport(delivery);
  }

  async handle(_tx: unknown, received: readonly Received<ContactOptedOut>[]): Promise<void> {
    for (const { item } of received) {
      const change = consentOfProviderReport(item);
      await this.configurationLog.append(subjects.consent(change.tenant, change.data.contact), [change]);
    }
  }
}
