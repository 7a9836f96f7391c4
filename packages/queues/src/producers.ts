import type { OutageTracker } from '@maskline/core';
import { Queue } from 'bullmq';
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
  type CarrierEventJob,
  DELIVER_JOBS,
  type DeliverJob,
  deliverBatchJobSchema,
  deliverJobSchema,
  type InboundJob,
  inboundJobSchema,
  type ReceiptBatchJob,
  type ReceiptJob,
  receiptBatchJobSchema,
  receiptJobSchema,
} from './job-schemas.js';
import { CARRIER_EVENTS_QUEUE, DEFAULT_QUEUE_PREFIX, deliverQueueName } from './queue-names.js';
import type { RedisClient } from './redis-connection.js';

export interface QueueSettings {
  connection: RedisClient;
  prefix?: string;
  /** Hears a queue's errors (Redis connection trouble), which are otherwise swallowed. */
  monitor?: Pick<OutageTracker, 'failed'>;
}

export interface DeliveryRequest {
  carrierId: string;
  job: DeliverJob;
}

/** A pending message as the reconciler sees it: ids, and the batch job it was added in. */
export interface PendingDelivery {
  id: string;
  tenantId: string;
  deliveryJobId?: string | null;
  traceContext?: string | null;
}

export interface RestoreOptions {
  /**
   * Restore a message whose batch job ended or is missing under that batch's id (default),
   * so that a late add of the batch by the ingest is a no-op; false gives it its own job.
   * The reconciler restores whole pages under batch ids; a single retried request does
   * not, since another request of the same batch may be restoring it at the same moment
   * (one's removal of the ended batch job could remove the job the other just added).
   */
  underBatchId?: boolean;
}

/** The message ids a batch job's stored data lists (none if it cannot be read). */
function idsIn(data: unknown): Set<string> {
  if (typeof data !== 'string') return new Set();
  try {
    const parsed = deliverBatchJobSchema.safeParse(JSON.parse(data));
    return new Set(parsed.success ? parsed.data.messageIds : []);
  } catch {
    return new Set();
  }
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

  /** The ids among `messageIds` that have a job of their own (job id = message id). */
  async withOwnJob(carrierId: string, messageIds: readonly string[]): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    const queue = this.queueFor(carrierId);
    const pipeline = this.settings.connection.pipeline();
    for (const id of messageIds) pipeline.exists(queue.toKey(id));
    const answers = (await pipeline.exec()) ?? [];
    return new Set(
      messageIds.filter((_, i) => {
        const [error, exists] = answers[i] ?? [new Error('no answer'), 0];
        if (error) throw error;
        return exists === 1;
      }),
    );
  }

  /**
   * Re-adds the jobs of pending `messages` that no live job covers, and returns their ids.
   * A message is covered by its own job (job id = message id) while that exists and has
   * neither failed nor completed, or by its batch job (`deliveryJobId`) while that is live
   * and lists it. A batch job completes only after each of its messages was recorded or got
   * its own job; one that failed spent its attempts on whole-batch failures.
   *
   * A message of a batch is restored under its batch's job id (the ended job removed
   * first), so an ingest's `add` of that batch held back by a Redis outage and arriving
   * later is a no-op instead of a second job for the same messages. Only a message its
   * live batch job does not list (restored from another page) gets its own job. Own jobs
   * that ended are removed so that they are added again with fresh attempts. One
   * pipelined round trip (EXISTS, 2 ZSCOREs per key, the batch job's ids), then the adds.
   */
  async restore(
    carrierId: string,
    messages: readonly PendingDelivery[],
    options: RestoreOptions = {},
  ): Promise<string[]> {
    if (messages.length === 0) return [];
    const queue = this.queueFor(carrierId);
    const batchIds = new Set(messages.flatMap((m) => (m.deliveryJobId ? [m.deliveryJobId] : [])));
    const keys = [...new Set([...messages.map((m) => m.id), ...batchIds])];
    const pipeline = this.settings.connection.pipeline();
    for (const key of keys) {
      pipeline
        .exists(queue.toKey(key))
        .zscore(queue.toKey('failed'), key)
        .zscore(queue.toKey('completed'), key);
      if (batchIds.has(key)) pipeline.hget(queue.toKey(key), 'data');
    }
    const answers = (await pipeline.exec()) ?? [];
    let at = 0;
    const next = () => {
      const [error, value] = answers[at++] ?? [new Error('no answer'), null];
      if (error) throw error;
      return value;
    };
    const state = new Map<string, 'live' | 'ended' | 'missing'>();
    const listed = new Map<string, Set<string>>();
    for (const key of keys) {
      const [exists, failedAt, completedAt] = [next(), next(), next()];
      state.set(key, exists === 0 ? 'missing' : failedAt !== null || completedAt !== null ? 'ended' : 'live');
      if (batchIds.has(key)) listed.set(key, idsIn(next()));
    }
    const live = (m: PendingDelivery) =>
      state.get(m.id) === 'live' ||
      (m.deliveryJobId != null &&
        state.get(m.deliveryJobId) === 'live' &&
        listed.get(m.deliveryJobId)?.has(m.id) === true);
    const restore = messages.filter((m) => !live(m));
    const byBatch = new Map<string, string[]>();
    const own: PendingDelivery[] = [];
    const underBatch = options.underBatchId ?? true;
    for (const m of restore) {
      if (underBatch && m.deliveryJobId && state.get(m.deliveryJobId) !== 'live') {
        byBatch.set(m.deliveryJobId, [...(byBatch.get(m.deliveryJobId) ?? []), m.id]);
      } else own.push(m);
    }
    const ended = [...own.map((m) => m.id), ...byBatch.keys()].filter((key) => state.get(key) === 'ended');
    await Promise.all(ended.map((key) => queue.remove(key)));
    await Promise.all([...byBatch].map(([batchId, ids]) => this.enqueueBatch(carrierId, batchId, ids)));
    // Another restore may have added the batch's job first, with other ids (an add under an
    // existing job id is a no-op): those its stored data does not list get their own job.
    own.push(...(await this.unlisted(queue, byBatch, restore)));
    await this.enqueue(
      own.map(({ id, tenantId, traceContext }) => ({
        carrierId,
        job: { messageId: id, tenantId, ...(traceContext ? { trace: { traceparent: traceContext } } : {}) },
      })),
    );
    return restore.map((m) => m.id);
  }

  /** The messages of `byBatch` whose batch job, as stored now, does not list them. */
  private async unlisted(
    queue: Queue<AnyDeliverJob>,
    byBatch: ReadonlyMap<string, readonly string[]>,
    messages: readonly PendingDelivery[],
  ): Promise<PendingDelivery[]> {
    if (byBatch.size === 0) return [];
    const batches = [...byBatch];
    const pipeline = this.settings.connection.pipeline();
    for (const [batchId] of batches) pipeline.hget(queue.toKey(batchId), 'data');
    const answers = (await pipeline.exec()) ?? [];
    const missing = new Set<string>();
    batches.forEach(([, ids], i) => {
      const [error, data] = answers[i] ?? [new Error('no answer'), null];
      if (error) throw error;
      const listed = idsIn(data);
      for (const id of ids) if (!listed.has(id)) missing.add(id);
    });
    return messages.filter((m) => missing.has(m.id));
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
