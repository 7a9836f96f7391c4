import type { OutageTracker } from '@maskline/core';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  carrierEventJobOptions,
  DEFAULT_DELIVERY_RETRY,
  type DeliveryRetryPolicy,
  deliverBatchJobOptions,
  deliverJobOptions,
  deliverRetryJobOptions,
  type RetryJobTiming,
} from './job-options.js';
import {
  type AnyDeliverJob,
  CARRIER_EVENT_JOBS,
  DELIVER_JOBS,
  type DeliverJob,
  deliverBatchJobSchema,
  deliverJobSchema,
  type InboundJob,
  inboundJobSchema,
  type ReceiptJob,
  receiptJobSchema,
} from './job-schemas.js';
import { CARRIER_EVENTS_QUEUE, DEFAULT_QUEUE_PREFIX, deliverQueueName } from './queue-names.js';

export interface QueueSettings {
  connection: Redis;
  prefix?: string;
  /** Hears a queue's errors (Redis connection trouble), which are otherwise swallowed. */
  monitor?: Pick<OutageTracker, 'failed'>;
}

export interface DeliveryRequest {
  carrierId: string;
  job: DeliverJob;
}

/** A pending message as the reconciler sees it: its id and the batch job it was added in. */
export interface PendingJobRef {
  id: string;
  deliveryJobId?: string | null;
}

/** Producer side of the per-carrier delivery queues. */
export class DeliveryQueues {
  private readonly queues = new Map<string, Queue<AnyDeliverJob>>();
  private readonly prefix: string;

  constructor(
    private readonly settings: QueueSettings,
    private readonly retry: DeliveryRetryPolicy = DEFAULT_DELIVERY_RETRY,
  ) {
    this.prefix = settings.prefix ?? DEFAULT_QUEUE_PREFIX;
  }

  queueFor(carrierId: string): Queue<AnyDeliverJob> {
    let queue = this.queues.get(carrierId);
    if (!queue) {
      queue = new Queue<AnyDeliverJob>(deliverQueueName(carrierId), {
        connection: this.settings.connection,
        prefix: this.prefix,
      });
      queue.on('error', (error) => this.settings.monitor?.failed(error));
      this.queues.set(carrierId, queue);
    }
    return queue;
  }

  /** Adds one job per message, in bulk per carrier. The message id is the job id. */
  async enqueue(requests: readonly DeliveryRequest[]): Promise<void> {
    const byCarrier = new Map<string, DeliverJob[]>();
    for (const { carrierId, job } of requests) {
      const parsed = deliverJobSchema.parse(job);
      const list = byCarrier.get(carrierId) ?? [];
      list.push(parsed);
      byCarrier.set(carrierId, list);
    }
    await Promise.all(
      [...byCarrier].map(([carrierId, jobs]) =>
        this.queueFor(carrierId).addBulk(
          jobs.map((data) => ({
            name: DELIVER_JOBS.message,
            data,
            opts: deliverJobOptions(data.messageId, this.retry),
          })),
        ),
      ),
    );
  }

  /**
   * One job for the messages of one insert batch: job id `batchId` (stored on each row as
   * its delivery job id), payload the ids only. One Lua call for the whole batch.
   */
  async enqueueBatch(carrierId: string, batchId: string, messageIds: readonly string[]): Promise<void> {
    const data = deliverBatchJobSchema.parse({ messageIds });
    await this.queueFor(carrierId).add(DELIVER_JOBS.batch, data, deliverBatchJobOptions(batchId, this.retry));
  }

  /**
   * The job of one message whose attempt inside a batch failed and may be retried (job id
   * = message id), added before the batch job completes so a job always covers it.
   */
  async retryLater(carrierId: string, job: DeliverJob, timing: RetryJobTiming): Promise<void> {
    const data = deliverJobSchema.parse(job);
    await this.queueFor(carrierId).add(
      DELIVER_JOBS.message,
      data,
      deliverRetryJobOptions(data.messageId, timing),
    );
  }

  /**
   * The ids among `messages` that no job can deliver any more. A message is covered by its
   * own job (job id = message id) unless that is missing, failed or completed, or by its
   * batch job (`deliveryJobId`) unless that is missing, failed or completed: a batch job
   * completes only after each of its messages was recorded or got its own retry job, and
   * a failed one (its attempts spent on whole-batch failures, say the database away) left
   * its messages pending. Own jobs that failed or completed are removed here so that
   * enqueue() adds them again with fresh attempts. One pipelined round trip (EXISTS and
   * two ZSCOREs per key); no job is read.
   */
  async jobsToRestore(carrierId: string, messages: readonly PendingJobRef[]): Promise<string[]> {
    if (messages.length === 0) return [];
    const queue = this.queueFor(carrierId);
    const keys = [...new Set(messages.flatMap((m) => (m.deliveryJobId ? [m.id, m.deliveryJobId] : [m.id])))];
    const pipeline = this.settings.connection.pipeline();
    for (const key of keys) {
      pipeline
        .exists(queue.toKey(key))
        .zscore(queue.toKey('failed'), key)
        .zscore(queue.toKey('completed'), key);
    }
    const answers = (await pipeline.exec()) ?? [];
    const state = new Map<string, 'live' | 'ended' | 'missing'>();
    keys.forEach((key, i) => {
      const [exists, failedAt, completedAt] = [0, 1, 2].map((k) => {
        const [error, value] = answers[3 * i + k] ?? [new Error('no answer'), null];
        if (error) throw error;
        return value;
      });
      state.set(key, exists === 0 ? 'missing' : failedAt !== null || completedAt !== null ? 'ended' : 'live');
    });
    const restore = messages.filter(
      (m) => state.get(m.id) !== 'live' && (!m.deliveryJobId || state.get(m.deliveryJobId) !== 'live'),
    );
    const ended = restore.filter((m) => state.get(m.id) === 'ended');
    await Promise.all(ended.map((m) => queue.remove(m.id)));
    return restore.map((m) => m.id);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

/** Producer side of the carrier-events queue (receipts and inbound messages). */
export class CarrierEventQueue {
  readonly queue: Queue<ReceiptJob | InboundJob>;

  constructor(settings: QueueSettings) {
    this.queue = new Queue(CARRIER_EVENTS_QUEUE, {
      connection: settings.connection,
      prefix: settings.prefix ?? DEFAULT_QUEUE_PREFIX,
    });
    this.queue.on('error', (error) => settings.monitor?.failed(error));
  }

  async publishReceipt(job: ReceiptJob): Promise<void> {
    await this.publishReceipts([job]);
  }

  /** Several receipt jobs in one round trip; each job id is its receipt id. */
  async publishReceipts(jobs: readonly ReceiptJob[]): Promise<void> {
    await this.queue.addBulk(
      jobs.map((job) => ({
        name: CARRIER_EVENT_JOBS.receipt,
        data: receiptJobSchema.parse(job),
        opts: { ...carrierEventJobOptions(), jobId: job.receiptId },
      })),
    );
  }

  async publishInbound(job: InboundJob): Promise<void> {
    await this.queue.add(CARRIER_EVENT_JOBS.inbound, inboundJobSchema.parse(job), {
      ...carrierEventJobOptions(),
      jobId: job.inboundId,
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
