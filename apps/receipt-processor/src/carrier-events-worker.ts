import { toMasklineError } from '@maskline/core';
import type { RedisClient } from '@maskline/queues';
import {
  CARRIER_EVENT_JOBS,
  CARRIER_EVENTS_QUEUE,
  type CarrierEventJob,
  type InboundJob,
  type JobLockConfig,
  jobRecoveryOptions,
  type ReceiptBatchJob,
  type ReceiptJob,
  toWorkerError,
} from '@maskline/queues';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { InboundProcessor } from './inbound/inbound-processor.js';
import type { ReceiptProcessor } from './receipts/receipt-processor.js';

export interface CarrierEventsWorkerOptions {
  connection: RedisClient;
  prefix: string;
  concurrency: number;
  receipts: ReceiptProcessor;
  inbound: InboundProcessor;
  /** Job lock and stalled-check timing (JOB_LOCK_MS, JOB_STALLED_CHECK_MS); defaults if absent. */
  recovery?: JobLockConfig;
}

/** The worker on the carrier-events queue: routes receipt batches, single receipts and inbound jobs by name. */
export function createCarrierEventsWorker(options: CarrierEventsWorkerOptions): Worker<CarrierEventJob> {
  const worker: Worker<CarrierEventJob> = new Worker(
    CARRIER_EVENTS_QUEUE,
    async (job: Job<CarrierEventJob>) => {
      try {
        if (job.name === CARRIER_EVENT_JOBS.receipts)
          return await options.receipts.processBatch(job as Job<ReceiptBatchJob>);
        if (job.name === CARRIER_EVENT_JOBS.receipt)
          return await options.receipts.process(job as Job<ReceiptJob>);
        if (job.name === CARRIER_EVENT_JOBS.inbound)
          return await options.inbound.process(job as Job<InboundJob>);
        throw new UnrecoverableError('invalid_request');
      } catch (error) {
        if (error instanceof UnrecoverableError) throw error;
        throw await toWorkerError(toMasklineError(error), worker);
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      // A dead process's receipts resume within seconds, not BullMQ's ~60 s default.
      ...jobRecoveryOptions(options.recovery),
    },
  );
  return worker;
}
