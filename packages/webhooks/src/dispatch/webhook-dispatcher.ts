import { type Logger, PeriodicTask } from '@maskline/core';
import { type JobLockConfig, jobRecoveryOptions } from '@maskline/queues';
import { type ConnectionOptions, type Queue, Worker } from 'bullmq';
import type { DeliveryStore } from '../store/delivery-store.js';
import type { DeliveryBatch } from './delivery-batch.js';
import { WEBHOOKS_QUEUE, type WebhookJob, WebhookProducer } from './webhook-producer.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isWebhookJob(data: unknown): data is WebhookJob {
  if (typeof data !== 'object' || data === null) return false;
  const ids = (data as Record<string, unknown>).deliveryIds;
  return (
    Object.keys(data).length === 1 &&
    Array.isArray(ids) &&
    ids.length > 0 &&
    ids.every((id) => typeof id === 'string' && UUID.test(id))
  );
}

export interface DispatcherSettings {
  /** For adding jobs (fails fast while Redis is away). */
  producer: ConnectionOptions;
  /** For the worker (blocking reads, retries forever). */
  worker: ConnectionOptions;
  prefix: string;
  /** Jobs (batches) run at once per process. */
  concurrency: number;
  /** Deliveries per job. */
  batchSize: number;
  /** How often due deliveries are claimed and enqueued. */
  sweepIntervalMs: number;
  /** How long a claimed delivery waits for its job before the sweep claims it again. */
  leaseMs: number;
  /** Job lock and stalled-job check, as for every worker of our queues. */
  jobLock?: JobLockConfig;
}

/**
 * The webhook dispatcher: the `webhooks` queue's worker and the sweep that feeds it. The
 * sweep claims due deliveries (new ones, retries whose time came, and any whose job was lost
 * with a process or with Redis) in one UPDATE and adds one job per batch of ids.
 */
export class WebhookDispatcher {
  readonly producer: WebhookProducer;
  private worker: Worker<WebhookJob> | null = null;
  private readonly sweeper: PeriodicTask<number>;

  constructor(
    private readonly store: DeliveryStore,
    private readonly batch: DeliveryBatch,
    private readonly settings: DispatcherSettings,
    private readonly logger: Logger,
  ) {
    this.producer = new WebhookProducer(settings.producer, settings.prefix, settings.batchSize);
    this.sweeper = new PeriodicTask(() => this.sweep(), settings.sweepIntervalMs, {
      name: 'webhook-sweep',
      itemsOf: (n) => n,
    });
  }

  start(): void {
    this.worker = new Worker<WebhookJob>(
      WEBHOOKS_QUEUE,
      async (job) => {
        if (!isWebhookJob(job.data)) throw new Error('invalid webhooks job');
        await this.batch.send(job.data.deliveryIds);
      },
      {
        connection: this.settings.worker,
        prefix: this.settings.prefix,
        concurrency: this.settings.concurrency,
        ...jobRecoveryOptions(this.settings.jobLock),
      },
    );
    this.worker.on('error', (error) => this.logger.warn({ err: error }, 'webhooks worker error'));
    this.sweeper.start();
    void this.sweeper.runOnce().catch(() => {});
  }

  /** Claims due deliveries and enqueues them; returns how many. */
  async sweep(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const ids = await this.store.claimDue(this.settings.batchSize * 10, this.settings.leaseMs);
        if (ids.length > 0) await this.enqueue(ids);
        total += ids.length;
        if (ids.length < this.settings.batchSize * 10) break;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'webhook sweep failed; retrying');
    }
    return total;
  }

  get queue(): Queue<WebhookJob> {
    return this.producer.queue;
  }

  /** One job per batch of ids, added in one call. */
  enqueue(ids: readonly string[]): Promise<void> {
    return this.producer.enqueue(ids);
  }

  async stop(): Promise<void> {
    await this.sweeper.stop();
    await this.worker?.close();
    this.batch.close();
    await this.producer.close();
  }
}
