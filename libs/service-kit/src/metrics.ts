import { Controller, Get, Header } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { Processors } from './processing/processors.js';
import { metricsRegistry } from './metrics-registry.js';

@Controller('metrics')
export class MetricsController {
  private readonly lag: Gauge;

  constructor(processors: Processors) {
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
