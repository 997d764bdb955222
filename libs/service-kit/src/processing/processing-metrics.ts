import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../metrics-registry.js';
import type { ProcessingObserver } from './processor-runner.js';

const handlerSeconds = new Histogram({
  name: 'kite_handler_seconds',
  help: 'Time of the transaction that handled a message (a batch is one), per processor',
  labelNames: ['consumer', 'outcome'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
  registers: [metricsRegistry],
});
const callDeliveries = new Histogram({
  name: 'kite_handler_call_deliveries',
  help: 'Messages handled by one transaction, per processor',
  labelNames: ['consumer'],
  buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
  registers: [metricsRegistry],
});
const readerRestarts = new Counter({
  name: 'kite_reader_restarts_total',
  help: 'Times a processor opened its stream again: stalled (its consumer gone with a NATS node, or nothing from it, not even a heartbeat, for 21 s) or failed (an outage)',
  labelNames: ['consumer', 'reason'],
  registers: [metricsRegistry],
});
const deadLetters = new Counter({ name: 'kite_dead_letters_total', help: 'Events set aside as dead letters', labelNames: ['consumer'], registers: [metricsRegistry] });

export const processingMetrics: ProcessingObserver = {
  settled(consumer, outcome, seconds) {
    handlerSeconds.observe({ consumer, outcome }, seconds);
    if (outcome === 'dead') deadLetters.inc({ consumer });
  },
  called(consumer, deliveries) {
    callDeliveries.observe({ consumer }, deliveries);
  },
  readingRestarted(consumer, reason) {
    readerRestarts.inc({ consumer, reason });
  },
};

