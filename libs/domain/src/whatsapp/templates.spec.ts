import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { WhatsAppTemplate } from '@kite/contracts';
import { parameterCount, renderTemplate, templateBodyProblem, useTemplate } from './templates.js';

const NUMBER = '+15551230002';
const followUp: WhatsAppTemplate = { name: 'follow_up', language: 'en_US', category: 'utility', body: 'Hi {{1}}, your case {{2}} is still open. Reply to continue.' };
const plain: WhatsAppTemplate = { name: 'reopen', language: 'en', category: 'utility', body: 'Shall we continue?' };

describe('W3 WhatsApp templates', () => {
  it('W3 a template takes as many parameters as its highest {{n}}', () => {
    expect(parameterCount(followUp.body)).toBe(2);
    expect(parameterCount(plain.body)).toBe(0);
    expect(parameterCount('{{1}} and {{1}} again')).toBe(1);
  });

  it('W3 parameters are numbered from {{1}} without gaps', () => {
    expect(templateBodyProblem(followUp.body)).toBeUndefined();
    expect(templateBodyProblem('Hi {{1}}, see {{3}}')).toBe('uses {{3}} but not {{2}}: parameters are numbered from {{1}} without gaps');
    expect(templateBodyProblem('Hi {{0}}')).toBe('{{0}} is not a parameter: parameters are numbered {{1}}, {{2}}, …');
    expect(templateBodyProblem('Hi {{01}}')).toBe('{{01}} is not a parameter: parameters are numbered {{1}}, {{2}}, …');
  });

  it('W3 rendering fills every parameter with its value, taken literally', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (first, second) => {
        expect(renderTemplate('{{1}}|{{2}}|{{1}}', [first, second])).toBe(`${first}|${second}|${first}`);
      }),
    );
    expect(renderTemplate('cost {{1}}', ['$& $1'])).toBe('cost $& $1');
  });

  it('W3 a template named in a message must be the number\'s, by name and language, with exactly its parameters', () => {
    expect(useTemplate([followUp, plain], { name: 'follow_up', language: 'en_US', parameters: ['Ana', 'K-7'] }, NUMBER)).toEqual({
      ok: true,
      template: followUp,
      text: 'Hi Ana, your case K-7 is still open. Reply to continue.',
    });
    expect(useTemplate([followUp], { name: 'follow_up', language: 'pt_BR', parameters: ['Ana', 'K-7'] }, NUMBER)).toEqual({
      ok: false,
      reason: 'unknown_template',
      detail: `${NUMBER} has no approved template follow_up (pt_BR)`,
    });
    expect(useTemplate([followUp], { name: 'follow_up', language: 'en_US', parameters: ['Ana'] }, NUMBER)).toEqual({
      ok: false,
      reason: 'template_parameters',
      detail: 'template follow_up (en_US) takes 2 parameter(s), not 1',
    });
  });
});
