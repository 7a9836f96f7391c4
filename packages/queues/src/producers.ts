import type { OutageTracker } from '@maskline/core';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  carrierEventJobOptions,
  DEFAULT_DELIVERY_RETRY,
  type DeliveryRetryPolicy,
  deliverJobOptions,
} from './job-options.js';
import {
  CARRIER_EVENT_JOBS,
  type DeliverJob,
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

/** Producer side of the per-carrier delivery queues. */
export class DeliveryQueues {
  private readonly queues = new Map<string, Queue<DeliverJob>>();
  private readonly prefix: string;

  constructor(
    private readonly settings: QueueSettings,
    private readonly retry: DeliveryRetryPolicy = DEFAULT_DELIVERY_RETRY,
  ) {
    this.prefix = settings.prefix ?? DEFAULT_QUEUE_PREFIX;
  }

  queueFor(carrierId: string): Queue<DeliverJob> {
    let queue = this.queues.get(carrierId);
    if (!queue) {
      queue = new Queue<DeliverJob>(deliverQueueName(carrierId), {
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
            name: 'deliver',
            data,
            opts: deliverJobOptions(data.messageId, this.retry),
          })),
        ),
      ),
    );
  }

  /**
   * The ids among `messageIds` whose job cannot deliver them any more: no job (never added,
   * or lost with Redis's data) or a job that ended failed while its message is still
   * pending (its last attempt could not record the failure: the database was away). Failed
   * jobs are removed here, so that enqueue() adds them again with fresh attempts. One
   * pipelined round trip (EXISTS and ZSCORE per id); no job is read.
   */
  async jobsToRestore(carrierId: string, messageIds: readonly string[]): Promise<string[]> {
    if (messageIds.length === 0) return [];
    const queue = this.queueFor(carrierId);
    const pipeline = this.settings.connection.pipeline();
    for (const id of messageIds) pipeline.exists(queue.toKey(id)).zscore(queue.toKey('failed'), id);
    const answers = (await pipeline.exec()) ?? [];
    const missing: string[] = [];
    const failed: string[] = [];
    messageIds.forEach((id, i) => {
      const [existsError, exists] = answers[2 * i] ?? [new Error('no answer'), 0];
      const [failedError, failedAt] = answers[2 * i + 1] ?? [new Error('no answer'), null];
      if (existsError || failedError) throw existsError ?? failedError;
      if (exists === 0) missing.push(id);
      else if (failedAt !== null) failed.push(id);
    });
    await Promise.all(failed.map((id) => queue.remove(id)));
    return [...missing, ...failed];
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
