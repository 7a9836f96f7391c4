import { Batcher, type Logger } from '@maskline/core';
import { type ConnectionOptions, Queue } from 'bullmq';

export const WEBHOOKS_QUEUE = 'webhooks';

/** A webhooks job: delivery ids only (the payload is built from PostgreSQL at send time). */
export interface WebhookJob {
  deliveryIds: string[];
}

/** How long a handoff waits for other statements' deliveries before it adds their job. */
export const HANDOFF_WAIT_MS = 10;

/**
 * Adds `webhooks` jobs: one job per `batchSize` delivery ids, in one call. Used by the
 * dispatcher's sweep and by the processes whose status statements create deliveries
 * (message.status), which hand them over right after their commit.
 */
export class WebhookProducer {
  readonly queue: Queue<WebhookJob>;
  private handoffs: Batcher<string[], void> | null = null;

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
   * A handoff for the status statements (StatusWebhooks.handOffTo in @maskline/storage): their
   * deliveries are claimed for `leaseMs` and enqueued here after commit. The deliveries of
   * statements that commit within HANDOFF_WAIT_MS of each other share jobs (a submitted or
   * receipt statement often carries a few messages only; a job per statement would cost
   * its Redis calls and the dispatcher's four statements for each). A failed add is logged
   * and left to the sweep, which claims them again when the lease lapses.
   */
  handoff(leaseMs: number, logger: Logger): { leaseMs: number; enqueue(ids: string[]): void } {
    const handoffs = new Batcher<string[], void>(
      async (statements) => {
        const ids = statements.flat();
        await this.enqueue(ids).catch((error: unknown) =>
          logger.warn(
            { err: error, deliveries: ids.length },
            'webhooks enqueue failed; the sweep will send them',
          ),
        );
        return statements.map(() => undefined);
      },
      { maxSize: this.batchSize, maxWaitMs: HANDOFF_WAIT_MS },
    );
    this.handoffs = handoffs;
    return {
      leaseMs,
      enqueue: (ids) => {
        void handoffs.add(ids);
      },
    };
  }

  /** Adds what the handoff still holds, then closes the queue. */
  async close(): Promise<void> {
    await this.handoffs?.flush();
    await this.queue.close();
  }
}
