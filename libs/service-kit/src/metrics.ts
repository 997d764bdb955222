import { Controller, Get, Header } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { JetStreamConsumers, type SettlementObserver } from '@kite/messaging';
import { metricsRegistry } from './metrics-registry.js';

const handlerSeconds = new Histogram({
  name: 'kite_handler_seconds',
  help: 'Time of the handler call that settled a delivery (a batch is one call), per consumer',
  labelNames: ['consumer', 'outcome'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
  registers: [metricsRegistry],
});
const callDeliveries = new Histogram({
  name: 'kite_handler_call_deliveries',
  help: 'Deliveries handled by one handler call (one transaction), per consumer',
  labelNames: ['consumer'],
  buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
  registers: [metricsRegistry],
});
const deadLetters = new Counter({ name: 'kite_dead_letters_total', help: 'Events set aside as dead letters', labelNames: ['consumer'], registers: [metricsRegistry] });

export const settlementMetrics: SettlementObserver = {
  settled(consumer, outcome, seconds) {
    handlerSeconds.observe({ consumer, outcome }, seconds);
    if (outcome === 'dead') deadLetters.inc({ consumer });
  },
  called(consumer, deliveries) {
    callDeliveries.observe({ consumer }, deliveries);
  },
};

@Controller('metrics')
export class MetricsController {
  private readonly lag: Gauge;

  constructor(consumers: JetStreamConsumers) {
    this.lag = new Gauge({
      name: 'kite_consumer_lag',
      help: 'Messages of the stream not yet acknowledged by the consumer (pending plus in flight)',
      labelNames: ['consumer'],
      registers: [metricsRegistry],
      async collect() {
        for (const [consumer, lag] of await consumers.lags()) this.set({ consumer }, lag);
      },
    });
  }

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
