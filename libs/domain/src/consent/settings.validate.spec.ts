import { describe, expect, it } from '@jest/globals';
import { ConsentSettings } from '@kite/contracts';
import { consentSettingsProblems } from './settings.validate.js';

const settings = (languages: unknown[]) => ConsentSettings.parse({ languages });

describe("P1 a tenant's keywords, checked when saved", () => {
  it('P1 keywords of its own per language are accepted, a default repeated in its own kind too', () => {
    expect(consentSettingsProblems(settings([{ language: 'es', optOut: ['BAJA', 'stop'], optIn: ['ALTA'], help: ['AYUDA'] }, { language: 'pt_BR', optOut: ['SAIR'] }]))).toEqual([]);
  });

  it('P1 a keyword that could never match, one that already means something else, and a language listed twice are refused with their paths', () => {
    expect(
      consentSettingsProblems(
        settings([
          { language: 'es', optOut: ['!!!', 'BAJA'], help: ['start'] },
          { language: 'es', optIn: ['baja.'] },
        ]),
      ),
    ).toEqual([
      { path: '$.languages[0].optOut[0]', message: 'has no letters or digits once punctuation and symbols are left out: it could never match' },
      { path: '$.languages[0].help[0]', message: 'START is already an opt-in keyword (the defaults)' },
      { path: '$.languages[1].language', message: 'es appears twice' },
      { path: '$.languages[1].optIn[0]', message: 'BAJA is already an opt-out keyword (es)' },
    ]);
  });
});
