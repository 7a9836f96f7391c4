import type { Logger } from '@maskline/core';
import { type ConnectionOptions, Queue } from 'bullmq';

export const WEBHOOKS_QUEUE = 'webhooks';

/** A webhooks job: delivery ids only (the payload is built from PostgreSQL at send time). */
export interface WebhookJob {
  deliveryIds: string[];
}

/**
 * Adds `webhooks` jobs: one job per `batchSize` delivery ids, in one call. Used by the
 * dispatcher's sweep and by the processes whose status statements create deliveries
 * (message.status), which enqueue them right after their commit.
 */
export class WebhookProducer {
  readonly queue: Queue<WebhookJob>;

  constructor(
    connection: ConnectionOptions,
    prefix: string,
    private readonly batchSize: number,
  ) {
    this.queue = new Queue<WebhookJob>(WEBHOOKS_QUEUE, { connection, prefix });
    this.queue.on('error', () => {});
  }

  async enqueue(ids: readonly string[]): Promise<void> {
    const jobs = [];
    for (let i = 0; i < ids.length; i += this.batchSize) {
      jobs.push({
        name: 'deliver',
        data: { deliveryIds: ids.slice(i, i + this.batchSize) },
        opts: {
          attempts: 5,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: { age: 3_600, count: 10_000 },
          removeOnFail: { age: 24 * 3_600, count: 10_000 },
        },
      });
    }
    await this.queue.addBulk(jobs);
  }

  /**
   * A handoff for the status statements (handOffStatusWebhooks in @maskline/storage): their
   * deliveries are claimed for `leaseMs` and enqueued here after commit; a failed add is
   * logged and left to the sweep, which claims them again when the lease lapses.
   */
  handoff(leaseMs: number, logger: Logger): { leaseMs: number; enqueue(ids: string[]): void } {
    return {
      leaseMs,
      enqueue: (ids) => {
        this.enqueue(ids).catch((error: unknown) =>
          logger.warn(
            { err: error, deliveries: ids.length },
            'webhooks enqueue failed; the sweep will send them',
          ),
        );
      },
    };
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
