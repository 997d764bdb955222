import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeEvent, subjects, type AnyEnvelope } from '@kite/contracts';
import { eventually, TestSystem } from '@kite/testing';

/** P1–P7 through the public contract: keywords, confirmations, refusals within each scope, the consent API. */
const N1 = '+15550000021'; // svc-a
const N2 = '+15550000022'; // svc-a
const N3 = '+15550000023'; // svc-b
const ana = { kind: 'agent', id: 'ag-ana' } as const;

describe('consent: opt-out, opt-in, HELP', () => {
  let system: TestSystem;
  let n = 0;

  async function contactWrites(tenant: string, contact: string, to: string, text: string): Promise<{ conversationId: string; eventId: string }> {
    const event = makeEvent('MessageReceived', tenant, { messageId: `c-${++n}`, channel: 'sms', from: contact, to, text, receivedAt: new Date().toISOString() });
    await system.publish(subjects.inbound(tenant, 'MessageReceived'), event);
    const appended = await eventually(() => system.outboundOf('ContactMessageAppended', (e) => e.correlationId === event.id)[0], `"${text}" on the timeline`);
    return { conversationId: (appended.data as { conversationId: string }).conversationId, eventId: event.id };
  }
  async function agentSays(tenant: string, conversationId: string): Promise<AnyEnvelope> {
    const messageId = `agent-${++n}`;
    await system.publish(subjects.inbound(tenant, 'ChatMessageSent'), makeEvent('ChatMessageSent', tenant, { conversationId, messageId, sender: ana, text: 'Hello again', sentAt: new Date().toISOString() }));
    return eventually(() => [...system.outboundOf('OutboundMessageRequested'), ...system.outboundOf('OutboundMessageRejected')].find((e) => e.tenant === tenant && (e.data as { messageId: string }).messageId === messageId), `the outcome of ${messageId}`);
  }
  const repliesTo = (eventId: string) => system.outboundOf('OutboundMessageRequested', (e) => e.causationId === eventId && (e.data as { purpose?: string }).purpose !== undefined);
  const consentOf = async (tenant: string, contact: string) => (await system.api(tenant, 'GET', `/v1/consent?contact=${encodeURIComponent(contact)}`, undefined, { role: 'viewer' })).body as { numbers: { number: string; consent: string }[]; changes: { source: string; status: string }[] };

  beforeAll(async () => {
    system = await TestSystem.start();
    for (const tenant of ['acme', 'beta', 'gamma']) {
      const ok = (r: { status: number; body: unknown }) => expect([tenant, r.status, r.body]).toEqual([tenant, 200, expect.anything()]);
      ok(await system.api(tenant, 'PUT', '/v1/directory', {
        numbers: [N1, N2, N3].map((number) => ({ number, channels: ['sms'] })),
        services: [
          { id: 'svc-a', name: 'A', agentIds: ['ag-ana'], dialplan: {} },
          { id: 'svc-b', name: 'B', agentIds: ['ag-ana'], dialplan: {} },
        ],
        agents: [{ id: 'ag-ana', name: 'Ana' }],
        bots: [],
      }));
      for (const [number, serviceId] of [[N1, 'svc-a'], [N2, 'svc-a'], [N3, 'svc-b']] as const) {
        ok(await system.api(tenant, 'PUT', `/v1/numbers/${encodeURIComponent(number)}`, { linkedServiceId: serviceId, workingHours: { routing: { type: 'group', serviceId }, schedule: { timeZone: 'UTC', rules: [] } } }));
      }
    }
    expect((await system.api('beta', 'PUT', '/v1/consent-settings', { scope: 'service' })).status).toBe(200);
    expect((await system.api('gamma', 'PUT', '/v1/consent-settings', { scope: 'tenant', replies: { optOut: 'Gamma: unsubscribed.' } })).status).toBe(200);
    await system.untilConfigApplied();
  });
  afterAll(async () => system?.stop());

  it("P1 P3 P4 P5 STOP, then an agent's message: refused with opted_out; one confirmation sent; the keyword stays on the timeline, marked", async () => {
    const contact = '+15554300001';
    const stop = await contactWrites('acme', contact, N1, 'Stop!');
    const confirmation = await eventually(() => repliesTo(stop.eventId)[0], 'the confirmation');
    expect(confirmation.data).toMatchObject({ from: N1, to: contact, channel: 'sms', purpose: 'opt_out_confirmation' });
    await eventually(async () => (await consentOf('acme', contact)).changes.length === 1, 'the opt-out recorded');
    const refused = await agentSays('acme', stop.conversationId);
    expect(refused.type).toBe('OutboundMessageRejected');
    expect(refused.data).toMatchObject({ reason: 'opted_out' });
    expect(repliesTo(stop.eventId)).toHaveLength(1);
    // The view is a read model: it shows the refusal once it has applied it.
    const view = await eventually(async () => {
      const found = (await system.api('acme', 'GET', `/v1/conversations/${stop.conversationId}`, undefined, { service: 'linking-service', role: 'viewer' })).body as { timeline: Record<string, unknown>[] };
      return found.timeline.some((i) => i.kind === 'outbound_rejected') && found;
    }, 'the refusal on the timeline');
    expect(view.timeline).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'contact_message', text: 'Stop!', keyword: 'opt_out' }),
        expect.objectContaining({ kind: 'system_message', purpose: 'opt_out_confirmation', channel: 'sms' }),
        expect.objectContaining({ kind: 'outbound_rejected', reason: 'opted_out' }),
      ]),
    );
  });

  it('P3 P4 START: confirmed, and messages flow again; HELP is answered even while opted out', async () => {
    const contact = '+15554300002';
    const stop = await contactWrites('acme', contact, N1, 'STOP');
    await eventually(async () => (await consentOf('acme', contact)).changes.length === 1, 'the opt-out recorded');
    const help = await contactWrites('acme', contact, N1, 'help');
    expect((await eventually(() => repliesTo(help.eventId)[0], 'the HELP reply')).data).toMatchObject({ purpose: 'help_reply' });
    const start = await contactWrites('acme', contact, N1, 'START');
    expect((await eventually(() => repliesTo(start.eventId)[0], 'the opt-in confirmation')).data).toMatchObject({ purpose: 'opt_in_confirmation' });
    await eventually(async () => (await consentOf('acme', contact)).changes.length === 2, 'the opt-in recorded');
    expect((await agentSays('acme', stop.conversationId)).type).toBe('OutboundMessageRequested');
  });

  it('P2 scope number: an opt-out on N1 leaves N2 open', async () => {
    const contact = '+15554300003';
    await contactWrites('acme', contact, N1, 'STOP');
    await eventually(async () => (await consentOf('acme', contact)).changes.length === 1, 'the opt-out recorded');
    const other = await contactWrites('acme', contact, N2, 'hi');
    // N2 is linked to the same service: the conversation is the same, its replies leave from N2 now.
    expect((await agentSays('acme', other.conversationId)).data).toMatchObject({ from: N2 });
    expect((await consentOf('acme', contact)).numbers).toEqual([{ number: N1, consent: 'opted_out' }, { number: N2, consent: 'none' }, { number: N3, consent: 'none' }]);
  });

  it("P2 scope service: an opt-out on N1 bars N2 (same service), not N3", async () => {
    const contact = '+15554300004';
    await contactWrites('beta', contact, N1, 'STOP');
    await eventually(async () => (await consentOf('beta', contact)).changes.length === 1, 'the opt-out recorded');
    const sameService = await contactWrites('beta', contact, N2, 'hi');
    expect((await agentSays('beta', sameService.conversationId)).data).toMatchObject({ reason: 'opted_out' });
    const otherService = await contactWrites('beta', contact, N3, 'hi');
    expect((await agentSays('beta', otherService.conversationId)).data).toMatchObject({ from: N3 });
  });

  it("P2 P4 scope tenant: an opt-out on N1 bars N3 too; the tenant's confirmation text is sent", async () => {
    const contact = '+15554300005';
    const stop = await contactWrites('gamma', contact, N1, 'unsubscribe');
    expect((await eventually(() => repliesTo(stop.eventId)[0], 'the confirmation')).data).toMatchObject({ text: 'Gamma: unsubscribed.' });
    await eventually(async () => (await consentOf('gamma', contact)).changes.length === 1, 'the opt-out recorded');
    const otherService = await contactWrites('gamma', contact, N3, 'hi');
    expect((await agentSays('gamma', otherService.conversationId)).data).toMatchObject({ reason: 'opted_out' });
  });

  it('P6 the consent API: an administrator records an opt-out; a viewer reads it; another tenant never sees it; the CSV lists every change', async () => {
    const contact = '+15554300006';
    expect((await system.api('acme', 'PUT', `/v1/consent/${encodeURIComponent(contact)}`, { status: 'opted_out' }, { role: 'viewer' })).status).toBe(403);
    expect((await system.api('acme', 'PUT', `/v1/consent/${encodeURIComponent(contact)}`, { status: 'maybe' })).status).toBe(400);
    expect((await system.api('acme', 'GET', '/v1/consent?contact=not-a-number')).status).toBe(400);
    const recorded = await system.api('acme', 'PUT', `/v1/consent/${encodeURIComponent('+1 (555) 430-0006')}`, { status: 'opted_out' });
    expect(recorded.status).toBe(200);
    expect(recorded.body).toMatchObject({ contact, scope: 'number', numbers: [{ number: N1, consent: 'opted_out' }, { number: N2, consent: 'opted_out' }, { number: N3, consent: 'opted_out' }] });
    expect((recorded.body as { changes: unknown[] }).changes).toEqual([expect.objectContaining({ contact, status: 'opted_out', source: 'api', actor: { sub: expect.any(String), role: 'admin' } })]);
    expect((await consentOf('beta', contact)).changes).toEqual([]);
    const conversation = await contactWrites('acme', contact, N3, 'hi');
    expect((await agentSays('acme', conversation.conversationId)).data).toMatchObject({ reason: 'opted_out' });
    const csv = await fetch(`${system.configApi}/v1/consent/export`, { headers: { authorization: `Bearer ${await system.token('acme', 'viewer')}` } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('contact,number,status,source,at,message_id,keyword,provider_code,actor');
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^\\${contact},\\*,opted_out,api,`))]));
    const betaCsv = await (await fetch(`${system.configApi}/v1/consent/export`, { headers: { authorization: `Bearer ${await system.token('beta', 'viewer')}` } })).text();
    expect(betaCsv).not.toContain(contact);
  });

  it('P7 an opt-out the provider reports is recorded with source provider and bars messages', async () => {
    const contact = '+15554300007';
    const conversation = await contactWrites('acme', contact, N1, 'hi');
    await system.publish(subjects.inbound('acme', 'ContactOptedOut'), makeEvent('ContactOptedOut', 'acme', { contact, number: N1, providerCode: '21610', at: new Date().toISOString() }));
    const consent = await eventually(async () => {
      const found = await consentOf('acme', contact);
      return found.changes.length === 1 && found;
    }, 'the provider opt-out recorded');
    expect(consent.changes[0]).toMatchObject({ source: 'provider', status: 'opted_out', providerCode: '21610', number: N1 });
    expect((await agentSays('acme', conversation.conversationId)).data).toMatchObject({ reason: 'opted_out' });
  });
});
