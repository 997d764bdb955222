import { Positions1732399999000 } from '@kite/persistence';
import { CONFIG_READ_MODEL_MIGRATIONS } from '@kite/service-kit';

export const SCHEDULER_SCHEMA = 'scheduler';
export const SCHEDULER_MIGRATIONS = [Positions1732399999000, ...CONFIG_READ_MODEL_MIGRATIONS];
