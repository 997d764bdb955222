import { loadServiceConfig, runService } from '@kite/service-kit';
import { LinkingServiceModule } from './linking.module.js';

const config = loadServiceConfig('linking-service');
await runService(config, LinkingServiceModule.forRoot(config));
