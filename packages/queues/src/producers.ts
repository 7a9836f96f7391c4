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
  type CarrierEventJob,
  type DeliverJob,
  deliverJobSchema,
  type InboundJob,
  inboundJobSchema,
  type ReceiptBatchJob,
  type ReceiptJob,
  receiptBatchJobSchema,
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
  readonly queue: Queue<CarrierEventJob>;

  constructor(private readonly settings: QueueSettings) {
    this.queue = new Queue(CARRIER_EVENTS_QUEUE, {
      connection: settings.connection,
      prefix: settings.prefix ?? DEFAULT_QUEUE_PREFIX,
    });
    this.queue.on('error', (error) => settings.monitor?.failed(error));
  }

  /**
   * One job for a batch of receipts: `jobId` is the batch's own uuid, the one the receipt
   * rows were stored with (receipts.job_id), so the sweep can tell whether it still exists.
   */
  async publishReceiptBatch(job: ReceiptBatchJob, jobId: string): Promise<void> {
    await this.queue.add(CARRIER_EVENT_JOBS.receipts, receiptBatchJobSchema.parse(job), {
      ...carrierEventJobOptions(),
      jobId,
    });
  }

  async publishReceipt(job: ReceiptJob): Promise<void> {
    await this.publishReceipts([job]);
  }

  /**
   * One job per receipt in one round trip; each job id is its receipt id (an existing job
   * is not duplicated). For restores, and, with `delayMs`, for retrying receipts that
   * overtook their message's `submitted` commit.
   */
  async publishReceipts(jobs: readonly ReceiptJob[], delayMs = 0): Promise<void> {
    await this.queue.addBulk(
      jobs.map((job) => ({
        name: CARRIER_EVENT_JOBS.receipt,
        data: receiptJobSchema.parse(job),
        opts: {
          ...carrierEventJobOptions(),
          jobId: job.receiptId,
          ...(delayMs > 0 ? { delay: delayMs } : {}),
        },
      })),
    );
  }

  /**
   * The ids of the unprocessed receipts among `rows` that no job will process any more:
   * neither their batch job (`jobId`) nor a job of their own (job id = receipt id) is
   * waiting, delayed or active; each is missing, failed, or completed while the row is
   * still unprocessed. A finished job of their own is removed, so that publishReceipts()
   * adds it again. One pipelined round trip (EXISTS and two ZSCOREs per job id).
   */
  async receiptsToRestore(rows: readonly { id: string; jobId: string | null }[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const ids = [...new Set(rows.flatMap((r) => (r.jobId ? [r.jobId, r.id] : [r.id])))];
    const pipeline = this.settings.connection.pipeline();
    const [failedKey, completedKey] = [this.queue.toKey('failed'), this.queue.toKey('completed')];
    for (const id of ids)
      pipeline.exists(this.queue.toKey(id)).zscore(failedKey, id).zscore(completedKey, id);
    const answers = (await pipeline.exec()) ?? [];
    const state = new Map<string, 'missing' | 'finished' | 'live'>();
    ids.forEach((id, i) => {
      const [exists, failedAt, completedAt] = [0, 1, 2].map((k) => {
        const [error, value] = answers[3 * i + k] ?? [new Error('no answer'), null];
        if (error) throw error;
        return value;
      });
      state.set(
        id,
        exists === 0 ? 'missing' : failedAt !== null || completedAt !== null ? 'finished' : 'live',
      );
    });
    const lost = rows.filter(
      (r) => state.get(r.id) !== 'live' && (!r.jobId || state.get(r.jobId) !== 'live'),
    );
    await Promise.all(lost.filter((r) => state.get(r.id) === 'finished').map((r) => this.queue.remove(r.id)));
    return lost.map((r) => r.id);
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
