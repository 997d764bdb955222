import { z } from 'zod';
import { Directory } from './directory.js';
import { Override } from './config-events.js';
import { CallGroupMigration, NumberConfigurationBody } from './number-configuration.js';
import { ConsentChange, ConsentChangeBody, ConsentSettings } from './consent.js';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const numberParam = { name: 'number', in: 'path', required: true, description: 'E.164, URL-encoded (%2B15551234567)', schema: { type: 'string' } };
const ifMatch = { name: 'If-Match', in: 'header', required: false, description: 'the version (ETag) the change is based on (C7)', schema: { type: 'string' } };
const common = { '401': problem('no valid bearer token'), '403': problem('the token is a viewer\'s'), '404': problem('no such number for this tenant') };
const signedIn = { '401': common['401'], '403': common['403'] };
const ok = (description: string, ref?: string) => ({ description, ...(ref ? { content: json(ref) } : {}) });

/** The configuration API's OpenAPI document, generated from the same schemas that validate requests. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Kite conversations: configuration API', version: '1.0.0', description: 'Bearer JWT (HS256, or RS256 in production) with claims tenant, role (admin|viewer), sub, exp. The tenant comes from the token only.' },
    security: [{ bearer: [] }],
    paths: {
      '/v1/directory': {
        get: { summary: 'Read the directory', responses: { '200': ok('the directory and its version', 'Directory'), ...common } },
        put: { summary: 'Replace the directory', requestBody: { content: json('Directory') }, responses: { '200': ok('saved', 'Directory'), '400': problem('every problem at once'), ...common } },
      },
      '/v1/numbers': { get: { summary: 'Numbers with channels, status and routing (C1)', responses: { '200': ok('the numbers'), ...common } } },
      '/v1/numbers/{number}': {
        parameters: [numberParam],
        get: { summary: 'Read a configuration; ETag = version', responses: { '200': ok('the number', 'NumberView'), ...common } },
        put: { summary: 'Save a configuration (C2–C7)', parameters: [ifMatch], requestBody: { content: json('NumberConfigurationBody') }, responses: { '200': ok('saved, with the new version', 'NumberView'), '400': problem('every problem at once, nothing stored'), '412': problem('stale version'), ...common } },
        delete: { summary: 'Back to not_configured (C9)', parameters: [ifMatch], responses: { '200': ok('removed', 'NumberView'), '412': problem('stale version'), ...common } },
      },
      '/v1/numbers/{number}/history': { parameters: [numberParam], get: { summary: 'Every change, oldest first, with actor and time (C7)', responses: { '200': ok('the history'), ...common } } },
      '/v1/numbers/{number}/simulate': {
        parameters: [
          numberParam,
          { name: 'at', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
          { name: 'contact', in: 'query', required: false, description: 'a contact: whether a free-form WhatsApp message could reach them at the instant, and their consent (W6)', schema: { type: 'string' } },
        ],
        get: { summary: 'Period, routing target and armed actions at an instant; for a contact, the WhatsApp window and consent', responses: { '200': ok('the simulation'), '400': problem('bad instant or contact'), ...common } },
      },
      '/v1/numbers/{number}/override': {
        parameters: [numberParam],
        put: { summary: 'Emergency override: open or closed, until an instant or until cleared', parameters: [ifMatch], requestBody: { content: json('Override') }, responses: { '200': ok('set', 'NumberView'), '400': problem('bad override'), '409': problem('the number is not configured'), ...common } },
        delete: { summary: 'Clear the override', parameters: [ifMatch], responses: { '200': ok('cleared', 'NumberView'), ...common } },
      },
      '/v1/consent': {
        get: {
          summary: "A contact's consent for each number, and every change of it (P6)",
          parameters: [{ name: 'contact', in: 'query', required: true, description: 'the contact, E.164 or a common written form', schema: { type: 'string' } }],
          responses: { '200': ok('the consent', 'ConsentView'), '400': problem('bad contact'), ...signedIn },
        },
      },
      '/v1/consent/export': {
        get: { summary: 'Every consent change of the tenant, oldest first, as CSV (P6)', responses: { '200': { description: 'the changes', content: { 'text/csv': { schema: { type: 'string' } } } }, ...signedIn } },
      },
      '/v1/consent/{contact}': {
        parameters: [{ name: 'contact', in: 'path', required: true, description: 'the contact, URL-encoded (%2B15551234567)', schema: { type: 'string' } }],
        put: { summary: 'Record an opt-out or opt-in received another way (source api, P6)', requestBody: { content: json('ConsentChangeBody') }, responses: { '200': ok('recorded', 'ConsentView'), '400': problem('bad contact or body'), ...signedIn } },
      },
      '/v1/consent-settings': {
        get: { summary: "The tenant's consent settings: scope, keywords per language, reply texts (P1, P2, P4)", responses: { '200': ok('the settings', 'ConsentSettings'), ...signedIn } },
        put: { summary: "Replace the tenant's consent settings", requestBody: { content: json('ConsentSettings') }, responses: { '200': ok('saved', 'ConsentSettings'), '400': problem('every problem at once'), ...signedIn } },
      },
      '/v1/migrations/call-groups': { post: { summary: 'Import legacy call-group SMS settings as partially configured numbers (C8)', requestBody: { content: json('CallGroupMigration') }, responses: { '200': ok('migrated and unchanged numbers'), '400': problem('every problem at once, nothing stored'), ...common } } },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Directory: schema(Directory),
        NumberConfigurationBody: schema(NumberConfigurationBody),
        Override: schema(Override),
        CallGroupMigration: schema(CallGroupMigration),
        ConsentChangeBody: schema(ConsentChangeBody),
        ConsentSettings: schema(ConsentSettings),
        ConsentView: {
          type: 'object',
          properties: {
            contact: { type: 'string' },
            scope: { enum: ['number', 'service', 'tenant'] },
            numbers: { type: 'array', items: { type: 'object', properties: { number: { type: 'string' }, consent: { enum: ['opted_out', 'opted_in', 'none'] } } } },
            changes: { type: 'array', items: z.toJSONSchema(ConsentChange.extend({ seq: z.number().int() }), { io: 'output', unrepresentable: 'any' }) },
          },
        },
        NumberView: { type: 'object', properties: { number: { type: 'string' }, channels: { type: 'array', items: { type: 'string' } }, status: { enum: ['not_configured', 'partially_configured', 'configured'] }, version: { type: 'integer' }, configuration: { type: 'object' }, override: { $ref: '#/components/schemas/Override' } } },
        Problem: { type: 'object', properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } } } },
      },
    },
  };
}
