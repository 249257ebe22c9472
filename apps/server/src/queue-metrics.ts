import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MetricsService } from '#libs/observability';
import { QueueService } from '#libs/queues';

/** Samples every queue's job counts into the queue-depth gauge at scrape time. */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly queues: QueueService,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(async () => {
      const depths = await this.queues.depths();
      for (const [queue, counts] of Object.entries(depths)) {
        for (const [state, n] of Object.entries(counts)) this.metrics.queueDepth.set({ queue, state }, n);
      }
    });
  }
}
