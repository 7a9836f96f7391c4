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

export function carrierEventJobOptions(): JobsOptions {
  return { attempts: 20, backoff: { type: 'exponential', delay: 500 }, ...RETENTION };
}
