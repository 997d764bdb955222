import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Positions1732399999000 } from '@kite/persistence';
import { ConfigReadModel1732400000000, ConfigReadModelConsumer, ServiceKitModule, type ServiceConfig } from '@kite/service-kit';
import { AuthGuard, TOKEN_VERIFIER } from './auth/auth.guard.js';
import { createTokenVerifier } from './auth/principal.js';
import { ConfigurationLog } from './configuration-log.js';
import { DirectoryController } from './directory/directory.controller.js';
import { ProblemFilter } from './http/problem.js';
import { NumbersController } from './numbers/numbers.controller.js';

export const CONFIG_SCHEMA = 'config';

@Module({})
export class ConfigServiceModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: ConfigServiceModule,
      imports: [ServiceKitModule.forRoot(config, { schema: CONFIG_SCHEMA, migrations: [Positions1732399999000, ConfigReadModel1732400000000] })],
      controllers: [DirectoryController, NumbersController],
      providers: [
        { provide: TOKEN_VERIFIER, useFactory: () => createTokenVerifier(config.auth) },
        { provide: APP_FILTER, useClass: ProblemFilter },
        AuthGuard,
        ConfigurationLog,
        ConfigReadModelConsumer,
      ],
    };
  }
}
