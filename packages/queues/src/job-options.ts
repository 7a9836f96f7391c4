import type { JobsOptions } from 'bullmq';
import { CARRIER_BACKOFF } from './retry-mapping.js';

/** Retention keeps Redis bounded: Postgres, not Redis, is the record of what happened. */
const RETENTION = {
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 24 * 3_600, count: 10_000 },
} as const;

export interface DeliveryRetryPolicy {
  attempts: number;
  backoffMs: number;
}

export const DEFAULT_DELIVERY_RETRY: DeliveryRetryPolicy = { attempts: 8, backoffMs: 1_000 };

export function deliverJobOptions(messageId: string, policy: DeliveryRetryPolicy): JobsOptions {
  return {
    // The message id is the job id: re-enqueueing a message that still has a job is a no-op.
    jobId: messageId,
    attempts: policy.attempts,
    // Exponential from backoffMs, but never sooner than a carrier's retry-after (carrierBackoff).
    backoff: { type: CARRIER_BACKOFF, delay: policy.backoffMs },
    ...RETENTION,
  };
}

/**
 * A batch job's own attempts and backoff cover only failures of the whole batch (the
 * database unreachable at load); a message that fails alone gets a job of its own.
 */
export function deliverBatchJobOptions(batchId: string, policy: DeliveryRetryPolicy): JobsOptions {
  return { ...deliverJobOptions(batchId, policy), jobId: batchId };
}

export interface RetryJobTiming {
  /** Attempts left for the message (its first was in a batch job). */
  attempts: number;
  /** The first wait (already the carrier's retry-after, if longer). */
  delayMs: number;
  /** Base of the exponential backoff between this job's own attempts. */
  backoffMs: number;
}

/** A message's own job after its attempt in a batch failed and may be retried. */
export function deliverRetryJobOptions(messageId: string, timing: RetryJobTiming): JobsOptions {
  return {
    ...deliverJobOptions(messageId, { attempts: timing.attempts, backoffMs: timing.backoffMs }),
    delay: timing.delayMs,
  };
}

export function carrierEventJobOptions(): JobsOptions {
  return { attempts: 20, backoff: { type: 'exponential', delay: 500 }, ...RETENTION };
}
