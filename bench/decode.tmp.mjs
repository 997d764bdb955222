import { readEvent, makeEvent, subjects } from '@kite/contracts';
const ev = makeEvent('MessageReceived', 'tenant-0', { messageId: 'x'.repeat(20), channel: 'sms', from: '+15550000000', to: '+15550000001', text: 'Hello, I would like to know more about your offer.', receivedAt: new Date().toISOString() });
const subject = subjects.inbound('tenant-0', 'MessageReceived');
const data = new TextEncoder().encode(JSON.stringify(ev));
for (const round of [1,2,3]) {
  const n = 100000; let t = performance.now();
  for (let i = 0; i < n; i++) readEvent(subject, data, ['MessageReceived']);
  const full = (performance.now() - t) / n * 1000;
  t = performance.now();
  for (let i = 0; i < n; i++) JSON.parse(new TextDecoder().decode(data));
  const parse = (performance.now() - t) / n * 1000;
  console.log(`readEvent ${full.toFixed(2)} µs, JSON only ${parse.toFixed(2)} µs`);
}
