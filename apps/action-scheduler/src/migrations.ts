import { Positions1732399999000 } from '@kite/persistence';
import { ConfigReadModel1732400000000 } from '@kite/service-kit';

export const SCHEDULER_SCHEMA = 'scheduler';
export const SCHEDULER_MIGRATIONS = [Positions1732399999000, ConfigReadModel1732400000000];
