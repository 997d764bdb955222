import { describe, expect, it } from '@jest/globals';
import { JetStreamApiError } from '@nats-io/jetstream';
import { errors } from '@nats-io/nats-core';
import { isUnavailable, NatsUnavailableError } from './unavailable.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isUnavailable: an outage, not a bad event (S2: nothing lost on an outage)', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a reset connection', withCode('ECONNRESET')],
    ['PostgreSQL shutting down (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['PostgreSQL starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['a connection exception (class 08)', withCode('08006')],
    ['too many connections (53300)', withCode('53300')],
    ['node-postgres losing the connection under a query', new Error('Connection terminated unexpectedly')],
    ['a JetStream publish not acknowledged in time', new NatsUnavailableError('publish to kite.conv.a.b: no acknowledgement within 5000 ms')],
    ['a NATS request with no answer in time', new errors.TimeoutError()],
    ['a NATS request no server answers (a stream electing a leader)', new errors.NoRespondersError('$JS.API.CONSUMER.CREATE.KITE_CONV')],
    ['JetStream temporarily unavailable (503, 10008)', new JetStreamApiError({ code: 503, err_code: 10008, description: 'JetStream system temporarily unavailable' })],
    ['a cluster short of servers for a stream (503, 10023)', new JetStreamApiError({ code: 503, err_code: 10023, description: 'insufficient resources' })],
    ['the cause of a wrapping error', new Error('saving failed', { cause: withCode('ECONNREFUSED') })],
  ])('%s is an outage', (_what, error) => {
    expect(isUnavailable(error)).toBe(true);
  });

  it.each([
    ['a constraint violation (23505)', withCode('23505', 'duplicate key value violates unique constraint')],
    ['invalid input (22P02)', withCode('22P02', 'invalid input syntax for type uuid')],
    ['a plain error', new Error('data.to: not E.164')],
    ['a stream refusing a message (400)', new JetStreamApiError({ code: 400, err_code: 10071, description: 'wrong last sequence: 7' })],
    ['a thrown string', 'oops'],
    ['nothing', undefined],
  ])('%s is not', (_what, error) => {
    expect(isUnavailable(error)).toBe(false);
  });
});
