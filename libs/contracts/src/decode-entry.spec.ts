import { describe, expect, it } from '@jest/globals';
import { decodeEntry } from './catalog.js';
import { makeEvent } from './event-factory.js';

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const read = makeEvent('ChatMessageRead', 'acme', { conversationId: 'C1', messageId: 'm1', readerId: 'a1', readAt: '2026-01-05T10:00:00.000Z' });

describe('decodeEntry', () => {
  const at = (data: Uint8Array, subject = 'kite.conv.acme.C1') => ({ subject, seq: 7, data });

  it('decodes each event of an entry by its own schema', () => {
    expect(decodeEntry(at(bytes([read])), ['ChatMessageRead']).events).toEqual([read]);
  });

  it('says why an entry is not one: not JSON, not an array, an event of a type not accepted, another tenant, a bad event', () => {
    expect(() => decodeEntry(at(bytes('{')), ['ChatMessageRead'])).toThrow(/not JSON/);
    expect(() => decodeEntry(at(bytes(read)), ['ChatMessageRead'])).toThrow(/non-empty JSON array/);
    expect(() => decodeEntry(at(bytes([])), ['ChatMessageRead'])).toThrow(/non-empty JSON array/);
    expect(() => decodeEntry(at(bytes([read])), ['MembersAdded'])).toThrow(/unexpected event type "ChatMessageRead"/);
    expect(() => decodeEntry(at(bytes([read]), 'kite.conv.other.C1'), ['ChatMessageRead'])).toThrow(/does not match the subject's tenant/);
    expect(() => decodeEntry(at(bytes([{ ...read, data: { ...read.data, readAt: 'yesterday' } }])), ['ChatMessageRead'])).toThrow(/invalid ChatMessageRead: data.readAt/);
  });
});
