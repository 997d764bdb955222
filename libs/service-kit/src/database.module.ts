import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { STREAMS } from '@kite/contracts';
import { dropServiceSchema, openServiceDatabase, restoreCheckpoints, setPartitionMarks, type DataSource, type MigrationInterface } from '@kite/persistence';

export const DATA_SOURCE = Symbol('DATA_SOURCE');

/** Closes the pool on shutdown, after the consumers stopped (they stop in the phase before). */
@Injectable()
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}

@Module({})
export class DatabaseModule {
  static forRoot(options: { url: string; schema: string; migrations: (new () => MigrationInterface)[]; rebuild: boolean }): DynamicModule {
    const open = async (): Promise<DataSource> => {
      // Inputs already handled are not replayed: their processors keep their checkpoints. What the
      // others had decided on is replayed up to where they stood (their replay marks), and decided
      // on after it.
      const before = options.rebuild ? await dropServiceSchema(options.url, options.schema, [STREAMS.inbound.name]) : { inputs: [], marks: [], handled: [], unclean: [] };
      if (before.unclean.length) {
        new Logger('Rebuild').warn(
          `instances that did not stop cleanly: ${before.unclean.join(', ')}. A decision one published and did not commit is made again by this rebuild, and NATS drops the repeat only within two minutes of the first: start the service normally once before rebuilding it (docs/operations.md)`,
        );
      }
      const ds = await openServiceDatabase(options);
      await restoreCheckpoints(ds, before.inputs);
      await setPartitionMarks(ds, 'replay_marks', before.marks);
      await setPartitionMarks(ds, 'handled_marks', before.handled);
      return ds;
    };
    return {
      module: DatabaseModule,
      global: true,
      providers: [{ provide: DATA_SOURCE, useFactory: open }, DatabaseCloser],
      exports: [DATA_SOURCE],
    };
  }
}
