import { Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process, for every metric the service exposes (the metrics controller serves it). */
export const metricsRegistry = new Registry();
// The event-loop lag is sampled by a timer that wakes the process: prom-client's default of every
// 10 ms woke each idle service 100 times a second, and a wake-up costs 70–150 µs of CPU on the small
// machines this runs on. Once a second still shows a loop held up, at the cost of one wake-up.
collectDefaultMetrics({ register: metricsRegistry, eventLoopMonitoringPrecision: 1_000 });
