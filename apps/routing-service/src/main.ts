import { loadServiceConfig, runService } from '@kite/service-kit';
import { RoutingServiceModule } from './routing.module.js';

const config = loadServiceConfig('routing-service');
await runService(config, RoutingServiceModule.forRoot(config));
