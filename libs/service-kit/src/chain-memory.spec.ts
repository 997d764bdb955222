import { describe, expect, it } from '@jest/globals';
import { makeEvent } from '@kite/contracts';
import type { Appended, LogEntry } from '@kite/messaging';
import { ChainMemory, ownAppendsInChain, positionAfterOwnAppends } from './chain-memory.js';

const appended = (seq: number, prev: number, duplicate = false): Appended => ({ subject: 'kite.conv.acme.C1', events: [], seq, prev, duplicate });
const entry = (seq: number, subject = 'kite.conv.acme.C1'): LogEntry => ({ subject, seq, prev: seq - 1, events: [] });

describe('positionAfterOwnAppends', () => {
  it('moves past own appends that follow the last entry applied, one after another', () => {
    expect(positionAfterOwnAppends(10, [appended(11, 10), appended(14, 11)])).toBe(14);
  });

  it('stops at an append made after someone else\'s entry: that entry is not applied yet', () => {
    expect(positionAfterOwnAppends(10, [appended(13, 12)])).toBe(10);
    expect(positionAfterOwnAppends(10, [appended(11, 10), appended(15, 12)])).toBe(11);
  });

  it('stops at an entry stored before (a duplicate): where it stands in the chain is not known here', () => {
    expect(positionAfterOwnAppends(10, [appended(11, 10, true), appended(12, 11)])).toBe(10);
  });

  it('stays where it was without appends', () => {
    expect(positionAfterOwnAppends(7, [])).toBe(7);
  });
});

describe('ownAppendsInChain', () => {
  it('are the appends up to the first that does not follow the one before it directly', () => {
    const chained = [appended(11, 10), appended(12, 11)];
    expect(ownAppendsInChain(10, [...chained, appended(15, 13), appended(16, 15)])).toEqual(chained);
    expect(ownAppendsInChain(9, chained)).toEqual([]);
  });
});

describe('ChainMemory', () => {
  it('an entry at or before a committed position is applied; positions only move forward', () => {
    const memory = new ChainMemory();
    expect(memory.isApplied(entry(5))).toBe(false);
    memory.committedAt('kite.conv.acme.C1', 5);
    memory.committedAt('kite.conv.acme.C1', 3);
    expect([memory.isApplied(entry(5)), memory.isApplied(entry(6)), memory.isApplied(entry(4, 'kite.conv.acme.C2'))]).toEqual([true, false, false]);
  });

  it('keeps the entries passed over, by sequence, as links of their chain without their events', () => {
    const memory = new ChainMemory();
    const read = makeEvent('ChatMessageRead', 'acme', { conversationId: 'C1', messageId: 'm1', readerId: 'ag-1', readAt: '2026-11-25T12:00:00.000Z' });
    memory.pass({ subject: 'kite.conv.acme.C1', seq: 9, prev: 4, events: [read] });
    expect([memory.passedAt(9), memory.passedAt(8)]).toEqual([{ subject: 'kite.conv.acme.C1', seq: 9, prev: 4, events: [] }, undefined]);
  });

  it('forgets the oldest entries passed over beyond its bound, not the newest', () => {
    const memory = new ChainMemory();
    for (let seq = 1; seq <= 200_001; seq++) memory.pass(entry(seq));
    expect([memory.passedAt(1), memory.passedAt(2)?.seq, memory.passedAt(200_001)?.seq]).toEqual([undefined, 2, 200_001]);
  });

  it('forgets the positions of the subjects least recently seen beyond its bound', () => {
    const memory = new ChainMemory();
    for (let i = 1; i <= 100_000; i++) memory.committedAt(`kite.conv.acme.C${i}`, i);
    memory.committedAt('kite.conv.acme.C1', 2);
    memory.committedAt('kite.conv.acme.C100001', 100_001);
    expect([memory.isApplied(entry(1, 'kite.conv.acme.C1')), memory.isApplied(entry(2, 'kite.conv.acme.C2')), memory.isApplied(entry(100_001, 'kite.conv.acme.C100001'))]).toEqual([true, false, true]);
  });
});
