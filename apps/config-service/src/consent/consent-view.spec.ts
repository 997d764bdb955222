import { describe, expect, it } from '@jest/globals';
import type { ConsentChange } from '@kite/contracts';
import { consentCsv, consentView } from './consent-view.js';

const CONTACT = '+15557654321';
const stop: ConsentChange = { contact: CONTACT, status: 'opted_out', number: '+15551230001', source: 'keyword', at: '2026-11-24T10:00:00.000Z', messageId: 'm-1', keyword: 'STOP' };
const byAdmin: ConsentChange = { contact: CONTACT, status: 'opted_in', source: 'api', at: '2026-11-24T11:00:00.000Z', actor: { sub: '=HYPERLINK("x"), "Ana"', role: 'admin' } };

describe('P6 the consent API', () => {
  it("P6 a contact's consent for each number, within the scope, and every change with its place", () => {
    const numbers = [
      { number: '+15551230001', linkedServiceId: 'sales' },
      { number: '+15551230002', linkedServiceId: 'sales' },
    ];
    expect(consentView(CONTACT, 'number', [{ change: stop, seq: 7 }], numbers)).toEqual({
      contact: CONTACT,
      scope: 'number',
      numbers: [
        { number: '+15551230001', consent: 'opted_out' },
        { number: '+15551230002', consent: 'none' },
      ],
      changes: [{ ...stop, seq: 7 }],
    });
  });

  it('P6 the export is RFC 4180 CSV: a header, one line per change, quotes where needed, no formula a spreadsheet would run', () => {
    expect(consentCsv([stop, byAdmin])).toBe(
      [
        'contact,number,status,source,at,message_id,keyword,provider_code,actor',
        `${CONTACT},+15551230001,opted_out,keyword,2026-11-24T10:00:00.000Z,m-1,STOP,,`,
        `${CONTACT},*,opted_in,api,2026-11-24T11:00:00.000Z,,,,"'=HYPERLINK(""x""), ""Ana"""`,
        '',
      ].join('\r\n'),
    );
  });
});
