/** `npm run api-docs`: writes docs/asyncapi.json and docs/openapi.json from the contracts library's schemas. */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EVENT_SCHEMAS, INBOUND_SUBJECT_SUFFIX, openApiDocument, OUTBOUND_SUBJECT_SUFFIX } from '@kite/contracts';
import { ROOT } from './runtime.js';

export function asyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const add = (direction: 'receive' | 'send', prefix: string, suffixes: Record<string, string>) => {
    for (const [type, suffix] of Object.entries(suffixes)) {
      const schema = EVENT_SCHEMAS[type as keyof typeof EVENT_SCHEMAS];
      messages[type] = { name: type, contentType: 'application/json', payload: z.toJSONSchema(schema, { io: 'input' }) };
      channels[type] = { address: `${prefix}.{tenant}.${suffix}`, parameters: { tenant: { description: 'the tenant: ^[a-z0-9][a-z0-9-]{0,62}$' } }, messages: { [type]: { $ref: `#/components/messages/${type}` } } };
      operations[`${direction}${type}`] = { action: direction, channel: { $ref: `#/channels/${type}` } };
    }
  };
  add('receive', 'kite.in', INBOUND_SUBJECT_SUFFIX);
  add('send', 'kite.out', OUTBOUND_SUBJECT_SUFFIX);
  return { asyncapi: '3.0.0', info: { title: 'Kite conversations', version: '1.0.0', description: 'Events at the public boundary (docs/contract.md in the repository): JetStream streams KITE_IN and KITE_OUT.' }, channels, operations, components: { messages } };
}

if (process.argv[1]?.endsWith('api-docs.js')) {
  for (const [name, document] of [['asyncapi.json', asyncApiDocument()], ['openapi.json', openApiDocument()]] as const) {
    const file = path.join(ROOT, 'docs', name);
    fs.writeFileSync(file, JSON.stringify(document, null, 2) + '\n');
    console.log(`wrote ${path.relative(ROOT, file)}`);
  }
}
