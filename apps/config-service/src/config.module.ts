import { Module, type DynamicModule } from '@nestjs/common';
import { PROCESSOR_MIGRATIONS } from '@kite/persistence';
import { CONFIG_READ_MODEL_MIGRATIONS, ConfigReadModelProcessor, httpApiProviders, ServiceKitModule, type ServiceConfig } from '@kite/service-kit';
import { ConsentController, ConsentSettingsController } from './consent/consent.controller.js';
import { DirectoryController } from './directory/directory.controller.js';
import { ConsoleController } from './console/console.controller.js';
import { DocsController } from './docs/docs.controller.js';
import { ConfigHistory1732400000500, HistoryProcessor, HistoryController } from './history/history.js';
import { CallGroupMigrationController } from './migrations/call-group-migration.controller.js';
import { NumberConfigurations } from './numbers/number-configurations.js';
import { NumbersController } from './numbers/numbers.controller.js';

export const CONFIG_SCHEMA = 'config';

@Module({})
export class ConfigServiceModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: ConfigServiceModule,
      imports: [ServiceKitModule.forRoot(config, { schema: CONFIG_SCHEMA, migrations: [...PROCESSOR_MIGRATIONS, ...CONFIG_READ_MODEL_MIGRATIONS, ConfigHistory1732400000500] })],
      controllers: [DirectoryController, HistoryController, NumbersController, CallGroupMigrationController, ConsentSettingsController, ConsentController, DocsController, ConsoleController],
      providers: [
        ...httpApiProviders(config),
        NumberConfigurations,
        ConfigReadModelProcessor,
        HistoryProcessor,
      ],
    };
  }
}
