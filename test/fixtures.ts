import { makeEvent, subjects } from '@kite/contracts';
import type { TestSystem } from '@kite/testing';

export const NUMBER = '+15550000001';

/** A directory and a number routed to a group around the clock (a schedule without rules, C4). */
export async function configureGroupNumber(system: TestSystem, tenant: string): Promise<void> {
  const directory = await system.api(tenant, 'PUT', '/v1/directory', {
    numbers: [{ number: NUMBER, channels: ['sms', 'whatsapp'] }],
    services: [{ id: 'svc-sales', name: 'Sales', agentIds: ['ag-ana', 'ag-bruno'], dialplan: {} }],
    agents: [{ id: 'ag-ana', name: 'Ana' }, { id: 'ag-bruno', name: 'Bruno' }],
    bots: [{ id: 'bot-1', name: 'Bot' }],
  });
  if (directory.status !== 200) throw new Error(`directory: ${directory.status} ${JSON.stringify(directory.body)}`);
  const saved = await system.api(tenant, 'PUT', `/v1/numbers/${encodeURIComponent(NUMBER)}`, {
    linkedServiceId: 'svc-sales',
    workingHours: { routing: { type: 'group', serviceId: 'svc-sales' }, schedule: { timeZone: 'UTC', rules: [] } },
  });
  if (saved.status !== 200) throw new Error(`number: ${saved.status} ${JSON.stringify(saved.body)}`);
  await system.untilConfigApplied();
}

export function inboundMessage(tenant: string, from: string, messageId: string, text = 'Hello') {
  return makeEvent('MessageReceived', tenant, { messageId, channel: 'sms', from, to: NUMBER, text, receivedAt: new Date().toISOString() });
}

export async function sendInbound(system: TestSystem, tenant: string, from: string, messageId: string): Promise<string> {
  const event = inboundMessage(tenant, from, messageId);
  await system.publish(subjects.inbound(tenant, 'MessageReceived'), event);
  return event.id;
}
