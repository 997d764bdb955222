import { loadServiceConfig, runService } from '@kite/service-kit';
import { ConfigServiceModule } from './config.module.js';

const config = loadServiceConfig('config-service');
await runService(config, ConfigServiceModule.forRoot(config));
