import { loadServiceConfig, runService } from '@kite/service-kit';
import { ActionSchedulerModule } from './scheduler.module.js';

const config = loadServiceConfig('action-scheduler');
await runService(config, ActionSchedulerModule.forRoot(config));
