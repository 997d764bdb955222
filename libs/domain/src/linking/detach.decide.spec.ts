import { describe, expect, it } from '@jest/globals';
import { ConversationDetached } from '@kite/contracts';
import { decideDetach, decideLateDetach, detachableNumbersOf, detachingAgrees, positionDecidedOn, rememberedLinkedService, type DetachingChange } from './detach.decide.js';

const TENANT = 'acme';
const NUMBER = '+15551234567';
const OTHER_NUMBER = '+15559990000';
const CAUSE = { id: 'EVTCONFIG00000000000000001' };

type Conv = { conversationId: string; serviceId: string; links: readonly string[]; detached: readonly string[] };
const conv = (conversationId: string, over: Partial<Conv> = {}): Conv => ({ conversationId, serviceId: 'sales', links: [`sms:${NUMBER}`], detached: [], ...over });

const conversations: Conv[] = [
  conv('C-sms'),
  conv('C-whatsapp', { links: [`whatsapp:${NUMBER}`] }),
  conv('C-both', { links: [`sms:${OTHER_NUMBER}`, `whatsapp:${NUMBER}`] }),
  conv('C-other-service', { serviceId: 'support' }),
  conv('C-other-number', { links: [`sms:${OTHER_NUMBER}`] }),
  conv('C-call-only', { links: [] }),
  conv('C-already', { detached: [NUMBER] }),
  conv('C-other-detached', { detached: [OTHER_NUMBER] }),
];

describe('L6 a linked-service change detaches the old service conversations from the number', () => {
  it('L6 conversations of the old service that used the number on any channel are detached, one event each', () => {
    const events = decideDetach(TENANT, NUMBER, 'sales', 'support', conversations, CAUSE);
    expect(events.map((e) => e.data.conversationId)).toEqual(['C-sms', 'C-whatsapp', 'C-both', 'C-other-detached']);
    for (const event of events) {
      expect(ConversationDetached.parse(event).data).toMatchObject({ number: NUMBER, reason: 'linked_service_changed' });
      expect(event.type).toBe('ConversationDetached');
      expect(event.tenant).toBe(TENANT);
      expect(event.causationId).toBe(CAUSE.id);
      expect(event.correlationId).toBe(CAUSE.id);
    }
  });

  it('L6 conversations of other services, that never used the number, or already detached from it are left alone', () => {
    const ids = decideDetach(TENANT, NUMBER, 'sales', 'support', conversations, CAUSE).map((e) => e.data.conversationId);
    expect(ids).not.toContain('C-other-service');
    expect(ids).not.toContain('C-other-number');
    expect(ids).not.toContain('C-call-only');
    expect(ids).not.toContain('C-already');
  });

  it('L6 a number whose digits end another number is not confused with it', () => {
    const events = decideDetach(TENANT, '+5551234567', 'sales', 'support', [conv('C1', { links: [`sms:${NUMBER}`] })], CAUSE);
    expect(events).toEqual([]);
  });

  it('L6 unlinking the number (to undefined) also detaches', () => {
    expect(decideDetach(TENANT, NUMBER, 'sales', undefined, [conv('C1')], CAUSE).map((e) => e.data.conversationId)).toEqual(['C1']);
  });

  it('L6 the same service (from === to) or no previous service: nothing', () => {
    expect(decideDetach(TENANT, NUMBER, 'sales', 'sales', conversations, CAUSE)).toEqual([]);
    expect(decideDetach(TENANT, NUMBER, undefined, 'support', conversations, CAUSE)).toEqual([]);
  });

  it('L6 ids are deterministic per (cause, conversation)', () => {
    const first = decideDetach(TENANT, NUMBER, 'sales', 'support', conversations, CAUSE);
    const again = decideDetach(TENANT, NUMBER, 'sales', 'support', conversations, { id: CAUSE.id });
    expect(again.map((e) => e.id)).toEqual(first.map((e) => e.id));
    expect(new Set(first.map((e) => e.id)).size).toBe(first.length);
    const otherCause = decideDetach(TENANT, NUMBER, 'sales', 'support', conversations, { id: 'EVTCONFIG00000000000000002' });
    expect(otherCause[0]?.data.conversationId).toBe(first[0]?.data.conversationId);
    expect(otherCause[0]?.id).not.toBe(first[0]?.id);
  });
});

describe('L6 the linked service a number is remembered by', () => {
  it('L6 a removal keeps the last linked service: removing and then linking to S2 detaches S1', () => {
    const afterRemoval = rememberedLinkedService('sales', undefined);
    expect(afterRemoval).toBe('sales');
    expect(decideDetach(TENANT, NUMBER, afterRemoval, 'support', [conv('C1')], CAUSE)).toHaveLength(1);
  });

  it('L6 a removal and then linking to S1 again detaches nothing', () => {
    expect(decideDetach(TENANT, NUMBER, rememberedLinkedService('sales', undefined), 'sales', [conv('C1')], CAUSE)).toEqual([]);
  });

  it('L6 a new linked service replaces the last one', () => {
    expect(rememberedLinkedService('sales', 'support')).toBe('support');
    expect(rememberedLinkedService(undefined, 'sales')).toBe('sales');
  });
});

describe('L6 a decision that gives a conversation the number', () => {
  it('L6 stands on a configuration at least as new as the last change the detaching applied, or when it applied none', () => {
    expect(detachingAgrees(12, 12)).toBe(true);
    expect(detachingAgrees(13, 12)).toBe(true);
    expect(detachingAgrees(12, undefined)).toBe(true);
  });

  it('L6 waits on an older one, also when the number had no configuration in it', () => {
    expect(detachingAgrees(11, 12)).toBe(false);
    expect(detachingAgrees(undefined, 12)).toBe(false);
  });
});

describe('L5 L6 the numbers an agent\'s request may give a new conversation that a move detaches it from', () => {
  it('L6 are those the configuration links to the service; another service\'s, an unlinked one and a dialplan number are not', () => {
    const numbers = [
      { number: '+15550000001', linkedServiceId: 'sales' },
      { number: '+15550000002', linkedServiceId: 'support' },
      { number: '+15550000003', linkedServiceId: undefined },
      { number: '+15550000004', linkedServiceId: 'sales' },
    ];
    expect(detachableNumbersOf('sales', numbers).map((n) => n.number)).toEqual(['+15550000001', '+15550000004']);
  });
});

describe('L6 a conversation given the number on a configuration older than a change it committed after', () => {
  const given = { conversationId: 'C-late', serviceId: 'sales', links: [`sms:${NUMBER}`] };
  const change = (seq: number, from: string, to: string | undefined, id = `EVTCONFIG${seq}`): DetachingChange => ({ seq, from, to, cause: { id, correlationId: `CORR${seq}` } });

  it('L6 is detached by a later change from its service, with the event that change gives the conversations it found', () => {
    const [late] = decideLateDetach(TENANT, NUMBER, 10, given, [change(12, 'sales', 'support')]);
    const [found] = decideDetach(TENANT, NUMBER, 'sales', 'support', [{ ...given, detached: [] }], change(12, 'sales', 'support').cause);
    expect(late).toEqual({ ...found, occurredAt: late!.occurredAt });
    expect(late).toMatchObject({ type: 'ConversationDetached', causationId: 'EVTCONFIG12', correlationId: 'CORR12', data: { conversationId: 'C-late', number: NUMBER, reason: 'linked_service_changed' } });
  });

  it('L6 a change its configuration already had, or a change from another service, detaches nothing', () => {
    expect(decideLateDetach(TENANT, NUMBER, 12, given, [change(12, 'sales', 'support'), change(9, 'sales', 'support')])).toEqual([]);
    expect(decideLateDetach(TENANT, NUMBER, 10, given, [change(12, 'support', 'sales')])).toEqual([]);
  });

  it('L6 several later changes detach it once, by the first that moved the number away from its service', () => {
    const events = decideLateDetach(TENANT, NUMBER, 10, given, [change(14, 'sales', 'billing'), change(12, 'sales', 'support'), change(13, 'support', 'sales')]);
    expect(events.map((e) => e.causationId)).toEqual(['EVTCONFIG12']);
  });

  it('L6 stood on the newer of its copy of the configuration and the last change the detaching applied', () => {
    expect(positionDecidedOn(14, 12)).toBe(14);
    expect(positionDecidedOn(12, 14)).toBe(14);
    expect(positionDecidedOn(undefined, undefined)).toBe(0);
  });

  it('L6 a conversation that does not use the number is not detached from it', () => {
    expect(decideLateDetach(TENANT, NUMBER, 10, { ...given, links: [`sms:${OTHER_NUMBER}`] }, [change(12, 'sales', 'support')])).toEqual([]);
  });
});
