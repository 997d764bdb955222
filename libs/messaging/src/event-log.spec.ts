import { describe, expect, it } from '@jest/globals';
import { JetStreamApiError } from '@nats-io/jetstream';
import { isWrongLastSequence } from './event-log.js';

const refusal = (err_code: number, description: string) => new JetStreamApiError({ code: 400, err_code, description });

describe('a refused append', () => {
  it('is told apart by its error code', () => {
    expect(isWrongLastSequence(refusal(10071, 'wrong last sequence: 4821'))).toBe(true);
    expect(isWrongLastSequence(refusal(10060, 'expected stream does not match'))).toBe(false);
  });
});
