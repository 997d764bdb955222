import { describe, expect, it } from '@jest/globals';
import type { Directory, NumberConfigurationBody, WhatsAppTemplate } from '@kite/contracts';
import { configurationProblems, directoryProblems } from './configuration.validate.js';

const WA = '+15550000002';
const followUp: WhatsAppTemplate = { name: 'follow_up', language: 'en_US', category: 'utility', body: 'Hi {{1}}, shall we go on?' };
const directory = (templates: WhatsAppTemplate[] = [followUp], channels: ('sms' | 'whatsapp')[] = ['whatsapp']): Directory => ({
  numbers: [{ number: WA, channels, templates }],
  services: [{ id: 'svc-1', name: 'Sales', agentIds: ['ag-1'], dialplan: {} }],
  agents: [{ id: 'ag-1', name: 'Ana' }],
  bots: [{ id: 'bot-1', name: 'Bot' }],
});
const withFallback = (fallbackTemplate: { name: string; language: string; parameters: string[] }): NumberConfigurationBody => ({
  linkedServiceId: 'svc-1',
  workingHours: {
    routing: { type: 'group', serviceId: 'svc-1' },
    schedule: { timeZone: 'UTC', rules: [], closures: [] },
    actions: [{ onlyOnce: false, conditions: [{ type: 'no_reply', afterSeconds: 86_400 }], task: { type: 'send_message', botId: 'bot-1', text: 'Still there?', fallbackTemplate } }],
  },
});

describe('W3 templates in the directory', () => {
  it('W3 a WhatsApp number lists its approved templates', () => {
    expect(directoryProblems(directory())).toEqual([]);
  });

  it('W3 templates on a number without WhatsApp, a template listed twice, or parameters with a gap are refused with their paths', () => {
    expect(directoryProblems(directory([followUp], ['sms']))).toEqual([{ path: '$.numbers[0].templates', message: `${WA} has no whatsapp channel: WhatsApp templates need one` }]);
    expect(directoryProblems(directory([followUp, { ...followUp, body: 'again' }]))).toEqual([{ path: '$.numbers[0].templates[1].name', message: 'template follow_up (en_US) appears twice' }]);
    expect(directoryProblems(directory([{ ...followUp, body: '{{2}} only' }]))).toEqual([{ path: '$.numbers[0].templates[0].body', message: 'uses {{2}} but not {{1}}: parameters are numbered from {{1}} without gaps' }]);
  });

  it('W3 the same name in two languages is two templates', () => {
    expect(directoryProblems(directory([followUp, { ...followUp, language: 'pt_BR' }]))).toEqual([]);
  });
});

describe("W4 an action's fallback template, checked when the configuration is saved", () => {
  it("W4 one of the number's templates with its parameters is accepted", () => {
    expect(configurationProblems(withFallback({ name: 'follow_up', language: 'en_US', parameters: ['Ana'] }), directory(), WA)).toEqual([]);
  });

  it("W4 a template the number does not have, or the wrong number of parameters, is refused beside the field", () => {
    expect(configurationProblems(withFallback({ name: 'welcome', language: 'en_US', parameters: [] }), directory(), WA)).toEqual([
      { path: '$.workingHours.actions[0].task.fallbackTemplate.name', message: `${WA} has no approved template welcome (en_US)` },
    ]);
    expect(configurationProblems(withFallback({ name: 'follow_up', language: 'en_US', parameters: [] }), directory(), WA)).toEqual([
      { path: '$.workingHours.actions[0].task.fallbackTemplate.parameters', message: 'template follow_up (en_US) takes 1 parameter(s), not 0' },
    ]);
  });
});
