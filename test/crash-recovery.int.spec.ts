import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { STREAMS, type AnyEnvelope } from '@kite/contracts';
import { eventually, settle, TestSystem } from '@kite/testing';
import { configureGroupNumber, sendInbound } from './fixtures.js';

/**
 * Effectively once: a service killed with SIGKILL after recording its decision but before
 * committing its checkpoint decides again on restart, and nothing comes out twice.
 */
describe('crash between recording a decision and committing it', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ env: { 'linking-service': { KITE_FAULT_INJECTION: 'linking:after-append' }, 'routing-service': { KITE_FAULT_INJECTION: 'routing:after-append' } } });
    await configureGroupNumber(system, 'acme');
  });
  afterAll(async () => system?.stop());

  it('L3 R4 no duplicate ConversationCreated or MembersAdded after SIGKILL and restart of linking and routing', async () => {
    const linking = system.services.get('linking-service')!;
    const inboundId = await sendInbound(system, 'acme', '+15553334444', 'crash-1');
    await linking.exited;
    expect(linking.child.signalCode).toBe('SIGKILL');
    await system.startService('linking-service');

    const routing = system.services.get('routing-service')!;
    await routing.exited;
    expect(routing.child.signalCode).toBe('SIGKILL');
    await system.startService('routing-service');

    await eventually(() => system.outboundOf('MembersAdded', (e) => e.correlationId === inboundId)[0], 'MembersAdded after the restarts', 30_000);
    await settle(1_500);
    expect(system.outboundOf('ConversationCreated', (e) => e.correlationId === inboundId)).toHaveLength(1);
    expect(system.outboundOf('ContactMessageAppended', (e) => e.correlationId === inboundId)).toHaveLength(1);
    expect(system.outboundOf('MembersAdded', (e) => e.correlationId === inboundId)).toHaveLength(1);
    // Recorded again after each restart, with the same ids: the stream holds each once.
    const stored = (await system.stored(STREAMS.outbound.name)).map((m) => m.data as AnyEnvelope).filter((e) => e.correlationId === inboundId);
    expect(stored.map((e) => e.type).sort()).toEqual(['ContactMessageAppended', 'ConversationCreated', 'MembersAdded']);
  });
});
