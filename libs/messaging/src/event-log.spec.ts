import { describe, expect, it } from '@jest/globals';
import { JetStreamApiError } from '@nats-io/jetstream';
import { isWrongLastSequence, tailNamedIn } from './event-log.js';

const refusal = (err_code: number, description: string) => new JetStreamApiError({ code: 400, err_code, description });

describe('a refused append', () => {
  it('names the tail the server holds when the expected last sequence was wrong', () => {
    const wrong = refusal(10071, 'wrong last sequence: 4821');
    expect(isWrongLastSequence(wrong)).toBe(true);
    expect(tailNamedIn(wrong)).toBe(4821);
    expect(tailNamedIn(refusal(10071, 'wrong last sequence: 0'))).toBe(0);
  });

  it('names no tail when the description does not say one (the writer asks for it instead)', () => {
    expect(tailNamedIn(refusal(10071, 'wrong last sequence'))).toBeUndefined();
    expect(tailNamedIn(refusal(10071, 'wrong last sequence: 12 (stale)'))).toBeUndefined();
    expect(isWrongLastSequence(refusal(10060, 'expected stream does not match'))).toBe(false);
  });
});
