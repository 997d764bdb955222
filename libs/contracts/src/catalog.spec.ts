import { describe, expect, it } from '@jest/globals';
import { decodeEvent } from './catalog.js';
import { makeEvent } from './event-factory.js';
import { subjects } from './subjects.js';

describe('decodeEvent', () => {
  const subject = subjects.inbound('acme', 'MessageReceived');
  const event = makeEvent('MessageReceived', 'acme', { messageId: 'm1', channel: 'sms', from: '+15550000000', to: '+15550000001', text: 'Grüße', receivedAt: new Date().toISOString() });
  const bytes = new TextEncoder().encode(JSON.stringify(event));

  it('refuses bytes that are not UTF-8, saying so, and decodes the next event whole', () => {
    const cut = bytes.indexOf(0xc3); // the first byte of ü
    const broken = Uint8Array.from([...bytes.slice(0, cut), 0xff, ...bytes.slice(cut + 1)]);
    const refused = decodeEvent(subject, broken, ['MessageReceived']);
    expect(refused.ok ? undefined : refused.reason).toMatch(/^not JSON in UTF-8: /);
    const decoded = decodeEvent(subject, bytes, ['MessageReceived']);
    expect(decoded.ok && decoded.event.data.text).toBe('Grüße');
  });
});
