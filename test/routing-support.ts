import pg from 'pg';
import { makeEvent, subjects, type AnyEnvelope } from '@kite/contracts';
import { eventually, type TestSystem } from '@kite/testing';

export const WORKING = '2026-11-23T10:00:00.000Z'; // a Monday, 10:00 UTC
export const OFF_HOURS = '2026-11-22T10:00:00.000Z'; // a Sunday
export const GROUP_NUMBER = '+15550000001';
export const AGENT_NUMBER = '+15550000002';

/** Sales (Ana, Bruno) in working hours, the night bot out of hours; Carla on the agent number. */
export async function configureRouting(system: TestSystem): Promise<void> {
  const ok = (r: { status: number; body: unknown }) => {
    if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
  };
  ok(await system.api('acme', 'PUT', '/v1/directory', {
    numbers: [{ number: GROUP_NUMBER, channels: ['sms', 'whatsapp'] }, { number: AGENT_NUMBER, channels: ['sms'] }],
    services: [{ id: 'svc-sales', name: 'Sales', agentIds: ['ag-ana', 'ag-bruno'], dialplan: {} }, { id: 'svc-care', name: 'Care', agentIds: ['ag-carla'], dialplan: {} }],
    agents: [{ id: 'ag-ana', name: 'Ana' }, { id: 'ag-bruno', name: 'Bruno' }, { id: 'ag-carla', name: 'Carla' }],
    bots: [{ id: 'bot-1', name: 'Night bot' }],
  }));
  ok(await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(GROUP_NUMBER)}`, {
    linkedServiceId: 'svc-sales',
    workingHours: { routing: { type: 'group', serviceId: 'svc-sales' }, schedule: { timeZone: 'UTC', rules: [{ days: 'weekdays', from: '08:00', to: '18:00' }] } },
    outOfHours: { routing: { type: 'bot', botId: 'bot-1' } },
  }));
  ok(await system.api('acme', 'PUT', `/v1/numbers/${encodeURIComponent(AGENT_NUMBER)}`, {
    linkedServiceId: 'svc-care',
    workingHours: { routing: { type: 'agent', agentId: 'ag-carla' }, schedule: { timeZone: 'UTC', rules: [] } },
  }));
  await system.untilConfigApplied();
}

/** Plays the PBX gateway and the chat platform for one contact, and reads routing's effects. */
export class Conversation {
  id = '';
  private n = 0;
  constructor(
    private readonly system: TestSystem,
    private readonly db: pg.Pool,
    readonly contact: string,
    readonly number = GROUP_NUMBER,
  ) {}

  /** A contact message received at `receivedAt`; waits until it is on the conversation's timeline. */
  async message(receivedAt: string): Promise<string> {
    const event = makeEvent('MessageReceived', 'acme', { messageId: `${this.contact}-${++this.n}`, channel: 'sms', from: this.contact, to: this.number, text: `message ${this.n}`, receivedAt });
    await this.system.publish(subjects.inbound('acme', 'MessageReceived'), event);
    const appended = await eventually(() => this.system.outboundOf('ContactMessageAppended', (e) => e.correlationId === event.id)[0], `message ${this.n} of ${this.contact} on the timeline`);
    this.id = (appended.data as { conversationId: string }).conversationId;
    return event.id;
  }

  async removed(member: { kind: 'agent' | 'bot'; id: string }, by: { kind: 'agent' | 'bot'; id: string }, reason: 'removed' | 'left' = 'removed'): Promise<void> {
    await this.system.publish(subjects.inbound('acme', 'MemberRemoved'), makeEvent('MemberRemoved', 'acme', { conversationId: this.id, member, by, reason }));
    await this.untilMembers((members) => !members.includes(`${member.kind}:${member.id}`), `${member.id} removed`);
  }

  async joined(member: { kind: 'agent' | 'bot'; id: string }, via: 'live_dashboard' | 'invite' | 'bot'): Promise<void> {
    await this.system.publish(subjects.inbound('acme', 'MemberJoined'), makeEvent('MemberJoined', 'acme', { conversationId: this.id, member, via }));
    await this.untilMembers((members) => members.includes(`${member.kind}:${member.id}`), `${member.id} joined`);
  }

  /** Routing's view of the members, once it has caught up with `until`. */
  async untilMembers(until: (members: string[]) => boolean, what: string): Promise<string[]> {
    return eventually(async () => {
      const rows = (await this.db.query(`SELECT members FROM routing.routing_conversations WHERE conversation_id = $1`, [this.id])).rows as { members: string[] }[];
      const members = rows[0]?.members;
      return members && until(members) ? members : undefined;
    }, what);
  }

  effects(type: 'MembersAdded' | 'BotReplyRequested', cause?: string): AnyEnvelope[] {
    return this.system.outboundOf(type, (e) => (e.data as { conversationId: string }).conversationId === this.id && (cause === undefined || e.correlationId === cause));
  }

  async effect(type: 'MembersAdded' | 'BotReplyRequested', cause: string): Promise<AnyEnvelope> {
    return eventually(() => this.effects(type, cause)[0], `${type} for ${cause}`);
  }
}

export const membersOf = (e: AnyEnvelope): unknown => (e.data as { members: unknown }).members;
