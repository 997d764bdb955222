import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Channel } from '@kite/contracts';
import type { Period } from '../working-hours/working-hours.js';
import { evolveActivity, hasRun, initialActivity, type Activity, type ActivityFact } from './activity.js';

const contact = (id: string, at: number, period: Period = 'working_hours', channel: Channel = 'sms'): ActivityFact => ({ type: 'contact_message', id, at, period, channel });
const agentMessage = (at: number): ActivityFact => ({ type: 'agent_message', at });
const read = (messageId: string, at: number): ActivityFact => ({ type: 'read', messageId, at });
const ran = (actionId: string, at: number): ActivityFact => ({ type: 'action_ran', actionId, at });

const fold = (...facts: ActivityFact[]): Activity => facts.reduce(evolveActivity, initialActivity());
const readIds = (a: Activity) => a.contactMessages.filter((m) => m.read).map((m) => m.id);

describe('initialActivity', () => {
  it('starts with no messages, no runs and no members', () => {
    expect(initialActivity()).toEqual({ contactMessages: [], lastRunAt: {}, members: [] });
  });
});

describe('A2 contact messages', () => {
  it('A2 a contact message is appended unread with its time and period, and sets lastActivityAt', () => {
    const a = fold(contact('m1', 1_000, 'out_of_hours'));
    expect(a.contactMessages).toEqual([{ id: 'm1', at: 1_000, period: 'out_of_hours', read: false }]);
    expect(a.lastActivityAt).toBe(1_000);
    expect(a.lastAgentMessageAt).toBeUndefined();
  });

  it('A2 the same message id twice is kept once (redelivery) and leaves the state as it was', () => {
    const once = fold(contact('m1', 1_000));
    const twice = evolveActivity(once, contact('m1', 5_000));
    expect(twice.contactMessages).toHaveLength(1);
    expect(twice).toEqual(once);
    expect(twice.lastActivityAt).toBe(1_000);
  });

  it('A2 messages are kept in arrival order and lastActivityAt follows the latest', () => {
    const a = fold(contact('m1', 1_000), contact('m2', 2_000), contact('m3', 3_000));
    expect(a.contactMessages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(a.lastActivityAt).toBe(3_000);
  });

  it('A2 lastActivityAt never moves back for a message that comes late with an older time', () => {
    expect(fold(contact('m2', 2_000), contact('m1', 1_000)).lastActivityAt).toBe(2_000);
  });

  it('A2 evolveActivity does not mutate the state it is given', () => {
    const before = fold(contact('m1', 1_000));
    const snapshot = structuredClone(before);
    evolveActivity(before, contact('m2', 2_000));
    evolveActivity(before, read('m1', 3_000));
    expect(before).toEqual(snapshot);
  });
});

describe('A2 agent messages', () => {
  it('A2 an agent message sets lastAgentMessageAt and lastActivityAt and leaves contact messages alone', () => {
    const a = fold(contact('m1', 1_000), agentMessage(2_000));
    expect(a.lastAgentMessageAt).toBe(2_000);
    expect(a.lastActivityAt).toBe(2_000);
    expect(a.contactMessages).toEqual([{ id: 'm1', at: 1_000, period: 'working_hours', read: false }]);
  });

  it('A2 an agent message with an older time moves neither time back', () => {
    const a = fold(agentMessage(5_000), contact('m1', 6_000), agentMessage(4_000));
    expect(a.lastAgentMessageAt).toBe(5_000);
    expect(a.lastActivityAt).toBe(6_000);
  });
});

describe('A2 reads: reading a message reads every earlier one', () => {
  const three = [contact('m1', 1_000), contact('m2', 2_000), contact('m3', 3_000)];

  it('A2 a read of m2 marks m1 and m2 read, not m3', () => {
    expect(readIds(fold(...three, read('m2', 10_000)))).toEqual(['m1', 'm2']);
  });

  it('A2 a read of the latest message marks every message read', () => {
    expect(readIds(fold(...three, read('m3', 10_000)))).toEqual(['m1', 'm2', 'm3']);
  });

  it('A2 a read of the oldest marks only that one', () => {
    expect(readIds(fold(...three, read('m1', 10_000)))).toEqual(['m1']);
  });

  it('A2 a read of an unknown message id uses the read time as the cutoff', () => {
    expect(readIds(fold(...three, read('unknown', 2_500)))).toEqual(['m1', 'm2']);
    expect(readIds(fold(...three, read('unknown', 500)))).toEqual([]);
  });

  it('A2 a read never un-reads: an older read after a newer one keeps what is read', () => {
    expect(readIds(fold(...three, read('m3', 10_000), read('m1', 11_000)))).toEqual(['m1', 'm2', 'm3']);
  });

  it('A2 a read is not activity: lastActivityAt and lastAgentMessageAt do not change', () => {
    const a = fold(...three, read('m3', 10_000));
    expect(a.lastActivityAt).toBe(3_000);
    expect(a.lastAgentMessageAt).toBeUndefined();
  });

  it('A2 property: after a read of message m, exactly the messages no later than m are read (plus those read before)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1_000 }), { minLength: 1, maxLength: 20 }), fc.nat(), (gaps, pick) => {
        let at = 0;
        const facts = gaps.map((gap, i) => contact(`m${i}`, (at += gap)));
        const index = pick % facts.length;
        const a = fold(...facts, read(`m${index}`, at + 1));
        expect(a.contactMessages.map((m) => m.read)).toEqual(facts.map((_, i) => i <= index));
      }),
    );
  });
});

describe('members', () => {
  it('members_added adds new members once, keeping those present', () => {
    const a = fold({ type: 'members_added', members: ['agent:alice', 'bot:helper'] }, { type: 'members_added', members: ['agent:alice', 'agent:bob'] });
    expect(a.members).toEqual(['agent:alice', 'bot:helper', 'agent:bob']);
  });

  it('member_removed removes only that member', () => {
    const a = fold({ type: 'members_added', members: ['agent:alice', 'bot:helper'] }, { type: 'member_removed', member: 'bot:helper' });
    expect(a.members).toEqual(['agent:alice']);
  });

  it('member_removed of an absent member changes nothing', () => {
    const a = fold({ type: 'members_added', members: ['agent:alice'] }, { type: 'member_removed', member: 'agent:bob' });
    expect(a.members).toEqual(['agent:alice']);
  });

  it('a removed member can be added again', () => {
    const a = fold({ type: 'members_added', members: ['bot:helper'] }, { type: 'member_removed', member: 'bot:helper' }, { type: 'members_added', members: ['bot:helper'] });
    expect(a.members).toEqual(['bot:helper']);
  });

  it('member changes are not activity', () => {
    const a = fold(contact('m1', 1_000), { type: 'members_added', members: ['bot:helper'] }, { type: 'member_removed', member: 'bot:helper' });
    expect(a.lastActivityAt).toBe(1_000);
    expect(a.lastAgentMessageAt).toBeUndefined();
  });
});

describe('A3, A6 action runs', () => {
  it('A3 action_ran records the last run time per action', () => {
    const a = fold(ran('x', 1_000), ran('y', 2_000), ran('x', 3_000));
    expect(a.lastRunAt).toEqual({ x: 3_000, y: 2_000 });
  });

  it('A6 an action that ran once has run for good (hasRun), whatever its later runs', () => {
    const a = fold(ran('x', 1_000), ran('x', 2_000), ran('y', 3_000));
    expect([hasRun(a, 'x'), hasRun(a, 'y'), hasRun(a, 'z')]).toEqual([true, true, false]);
    expect(a.lastRunAt).toEqual({ x: 2_000, y: 3_000 });
  });

  it('A3 an action run is not activity and leaves messages as they were', () => {
    const before = fold(contact('m1', 1_000));
    const after = evolveActivity(before, ran('x', 2_000));
    expect(after.contactMessages).toEqual(before.contactMessages);
    expect(after.lastActivityAt).toBe(1_000);
  });
});
