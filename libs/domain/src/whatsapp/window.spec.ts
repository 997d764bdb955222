import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Channel } from '@kite/contracts';
import { isWindowOpen, WHATSAPP_WINDOW_MS, windowAfterContactMessage, windowState } from './window.js';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const messages = fc.array(fc.record({ channel: fc.constantFrom<Channel>('sms', 'whatsapp'), at: fc.integer({ min: T0, max: T0 + 10 * WHATSAPP_WINDOW_MS }) }), { maxLength: 30 });
const windowAfter = (list: readonly { channel: Channel; at: number }[]) => list.reduce<number | undefined>((until, m) => windowAfterContactMessage(until, m.channel, m.at), undefined);

describe('W1 the WhatsApp window', () => {
  it('W1 is open until 24 hours after the latest inbound WhatsApp message, whatever order they arrive in; SMS opens nothing', () => {
    fc.assert(
      fc.property(messages, (list) => {
        const whatsapp = list.filter((m) => m.channel === 'whatsapp').map((m) => m.at);
        expect(windowAfter(list)).toBe(whatsapp.length ? Math.max(...whatsapp) + WHATSAPP_WINDOW_MS : undefined);
      }),
    );
  });

  it('W1 its edges: open a millisecond before 24 hours, closed at exactly 24 hours and after', () => {
    fc.assert(
      fc.property(fc.integer({ min: T0, max: T0 + WHATSAPP_WINDOW_MS }), fc.integer({ min: 0, max: 3 * WHATSAPP_WINDOW_MS }), (receivedAt, later) => {
        const until = windowAfterContactMessage(undefined, 'whatsapp', receivedAt);
        expect(isWindowOpen(until, receivedAt + later)).toBe(later < WHATSAPP_WINDOW_MS);
      }),
    );
  });

  it('W1 each WhatsApp message reopens it; an SMS or a late older message does not move it', () => {
    const first = windowAfterContactMessage(undefined, 'whatsapp', T0);
    const reopened = windowAfterContactMessage(first, 'whatsapp', T0 + 30 * 3_600_000);
    expect(isWindowOpen(first, T0 + 30 * 3_600_000)).toBe(false);
    expect(isWindowOpen(reopened, T0 + 30 * 3_600_000)).toBe(true);
    expect(windowAfterContactMessage(reopened, 'sms', T0 + 40 * 3_600_000)).toBe(reopened);
    expect(windowAfterContactMessage(reopened, 'whatsapp', T0)).toBe(reopened);
  });

  it('W1 never opened: closed at every instant', () => {
    fc.assert(fc.property(fc.integer(), (at) => expect(isWindowOpen(undefined, at)).toBe(false)));
  });

  it('W6 the window as the APIs show it: open until, closed since, or never opened', () => {
    const until = T0 + WHATSAPP_WINDOW_MS;
    expect(windowState(until, T0)).toEqual({ open: true, until: '2026-11-25T10:00:00.000Z' });
    expect(windowState(until, until)).toEqual({ open: false, closedAt: '2026-11-25T10:00:00.000Z' });
    expect(windowState(undefined, T0)).toEqual({ open: false });
  });
});
