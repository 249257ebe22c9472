import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import type { Config } from '#libs/config';
import { ALL_QUEUES } from './queue-names.js';
import { DEFAULT_JOB_OPTIONS, redisConnection } from './queue-options.js';
import { QueueService } from './queue.service.js';

/** BullMQ on Redis: the connection, every queue, and the service that enqueues. */
@Module({})
export class QueuesModule {
  static forRoot(redis: Config['redis']): DynamicModule {
    return {
      module: QueuesModule,
      global: true,
      imports: [
        BullModule.forRoot({ connection: redisConnection(redis.url), prefix: redis.queuePrefix, defaultJobOptions: DEFAULT_JOB_OPTIONS }),
        BullModule.registerQueue(...ALL_QUEUES.map((name) => ({ name }))),
      ],
      providers: [QueueService],
      exports: [QueueService, BullModule],
    };
  }
}
