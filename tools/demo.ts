/**
 * `npm run demo`: plays a sample directory, a number configuration and a few inbound messages
 * against the running system (`npm start`), and tells what happened as a person would read it.
 */
import { makeEvent, STREAMS, subjects, type AnyEnvelope } from '@kite/contracts';
import { configurationBehind, SERVICE_NAMES } from '@kite/local-infra';
import { connectNats, EventPublisher, streamLastSequence } from '@kite/messaging';
import { signToken } from './token.js';
import { readRuntime } from './runtime.js';

const runtime = readRuntime();
const natsUrl = process.env.NATS_URL ?? runtime?.natsUrl;
const api = process.env.CONFIG_API_URL ?? runtime?.configApiUrl ?? 'http://127.0.0.1:8080';
if (!natsUrl) {
  console.error('The system does not seem to run: start it with `npm start` in another terminal first.');
  process.exit(1);
}

const tenant = 'demo';
const token = await signToken({ tenant, role: 'admin', sub: 'demo-admin' });
const contact = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
const names: Record<string, string> = { 'ag-ana': 'Ana', 'ag-bruno': 'Bruno', 'ag-carla': 'Carla', 'bot-night': 'Night bot' };

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function describe(e: AnyEnvelope): string {
  const d = e.data as Record<string, unknown>;
  const who = (ms: { kind: string; id: string }[]) => ms.map((m) => `${names[m.id] ?? m.id} (${m.kind})`).join(', ');
  switch (e.type) {
    case 'ConversationCreated':
      return `A new conversation ${String(d.conversationId)} was created for ${String(d.contact)} with service ${String(d.serviceId)} over ${String(d.channel)}${d.number ? ` on ${String(d.number)}` : ', with no number to send from yet'}.`;
    case 'ConversationLinked':
      return `The conversation now also uses ${String(d.channel)} on ${String(d.number)}.`;
    case 'ContactMessageAppended':
      return `${String(d.contact)} wrote "${String(d.text)}" (${String(d.channel)}), added to the conversation's timeline.`;
    case 'MembersAdded':
      return `Routing added ${who(d.members as { kind: string; id: string }[])} to the conversation (${String(d.reason)}).`;
    case 'BotReplyRequested':
      return `${names[String(d.botId)] ?? String(d.botId)} was asked to reply to message ${String(d.messageId)}.`;
    case 'MessageRejected':
      return `A message to ${String(d.to)} was rejected: ${String(d.reason)}.`;
    default:
      return `${e.type}: ${JSON.stringify(d)}`;
  }
}

const nc = await connectNats(natsUrl, 'kite-demo');
const seen: AnyEnvelope[] = [];
const subscription = nc.subscribe(`kite.out.${tenant}.>`, {
  callback: (_err, msg) => {
    const event = JSON.parse(new TextDecoder().decode(msg.data)) as AnyEnvelope;
    seen.push(event);
    console.log(`  → ${describe(event)}`);
  },
});

console.log(`Configuring tenant "${tenant}" through ${api}`);
await call('PUT', '/v1/directory', {
  numbers: [{ number: '+15550000001', channels: ['sms', 'whatsapp'] }, { number: '+15550000002', channels: ['sms'] }],
  services: [{ id: 'svc-sales', name: 'Sales', agentIds: ['ag-ana', 'ag-bruno'], dialplan: {} }, { id: 'svc-support', name: 'Support', agentIds: ['ag-carla'], dialplan: {} }],
  agents: [{ id: 'ag-ana', name: 'Ana' }, { id: 'ag-bruno', name: 'Bruno' }, { id: 'ag-carla', name: 'Carla' }],
  bots: [{ id: 'bot-night', name: 'Night bot' }],
});
console.log('  directory saved: numbers +15550000001 (sms, whatsapp) and +15550000002 (sms); Sales = Ana, Bruno');
await call('PUT', `/v1/numbers/${encodeURIComponent('+15550000001')}`, {
  linkedServiceId: 'svc-sales',
  workingHours: { routing: { type: 'group', serviceId: 'svc-sales' }, schedule: { timeZone: 'UTC', rules: [{ days: 'everyday', from: '00:00', to: '00:00' }] } },
  outOfHours: { routing: { type: 'bot', botId: 'bot-night' } },
});
console.log('  +15550000001 configured: linked to Sales, routed to the Sales group around the clock');

// Each service applies configuration on its own, a few milliseconds after the API answers; a
// customer writes later than that, so the demo waits for every service as a customer would.
const configured = await streamLastSequence(nc, STREAMS.config.name);
const databaseUrl = process.env.DATABASE_URL ?? runtime?.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
for (const giveUpAt = Date.now() + 30_000; (await configurationBehind(databaseUrl, SERVICE_NAMES, configured)).size > 0; ) {
  if (Date.now() > giveUpAt) throw new Error('the services did not apply the configuration within 30 s');
  await new Promise((r) => setTimeout(r, 50));
}

const publisher = new EventPublisher(nc);
const send = async (to: string, channel: 'sms' | 'whatsapp', text: string) => {
  console.log(`\n${contact} sends "${text}" by ${channel} to ${to}`);
  const event = makeEvent('MessageReceived', tenant, { messageId: `demo-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, channel, from: contact, to, text, receivedAt: new Date().toISOString() });
  await publisher.publish(subjects.inbound(tenant, 'MessageReceived'), event);
  await new Promise((r) => setTimeout(r, 1_500));
};
await send('+15550000001', 'sms', 'Hello, I would like a quote.');
await send('+15550000001', 'whatsapp', 'Also on WhatsApp, any news?');
await send('+15550000002', 'sms', 'Is anyone on this other number?');

subscription.unsubscribe();
await nc.drain();
const created = seen.filter((e) => e.type === 'ConversationCreated').length;
const added = seen.filter((e) => e.type === 'MembersAdded').length;
console.log(`\nDone: ${created} conversation created, ${added} routing addition(s), ${seen.filter((e) => e.type === 'MessageRejected').length} message(s) rejected.`);
