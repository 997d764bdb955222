import { Controller, Get, Header, Inject } from '@nestjs/common';
import { NATS_CONNECTION, NatsStatus, type NatsConnection } from '@kite/messaging';
import { Counter, Gauge } from 'prom-client';
import { Processors } from './processing/processors.js';
import { metricsRegistry } from './metrics-registry.js';
import { registerStreamMetrics } from './stream-metrics.js';

@Controller('metrics')
export class MetricsController {
  private readonly lag: Gauge;

  constructor(processors: Processors, nats: NatsStatus, @Inject(NATS_CONNECTION) nc: NatsConnection) {
    registerStreamMetrics(nc);
    new Gauge({
      name: 'kite_ready',
      help: '1 when the processors are reading and NATS is connected with no permission refused in the last minute (what /health/ready checks beside PostgreSQL)',
      registers: [metricsRegistry],
      collect() {
        this.set(processors.ready ? 1 : 0);
      },
    });
    let counted = 0;
    new Counter({
      name: 'kite_nats_permission_refusals_total',
      help: 'Operations NATS refused this service for lack of permission: the permissions file misses something',
      registers: [metricsRegistry],
      collect() {
        this.inc(nats.refusals - counted);
        counted = nats.refusals;
      },
    });
    this.lag = new Gauge({
      name: 'kite_consumer_lag',
      help: 'Messages of the stream the processor has not handled yet (not read, and read but not handled), for the partitions this instance holds',
      labelNames: ['consumer'],
      registers: [metricsRegistry],
      async collect() {
        for (const [consumer, lag] of processors.lags()) this.set({ consumer }, lag);
      },
    });
  }

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
