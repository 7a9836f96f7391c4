import { type MasklineError, retryDecisionFor } from '@maskline/core';
import { type BackoffStrategy, UnrecoverableError } from 'bullmq';

/**
 * A failed attempt the peer asked us to hold back: it counts as an attempt like any other,
 * and carrierBackoff waits at least `delayMs` before the next one.
 */
export class RetryAfterError extends Error {
  constructor(
    code: string,
    readonly delayMs: number,
  ) {
    super(code);
    this.name = 'RetryAfterError';
  }
}

/**
 * Turns a failed job's MasklineError into what BullMQ understands, per the core retry
 * table: permanent -> UnrecoverableError (no retry); retry_after -> RetryAfterError (an
 * attempt of this job, retried no sooner than the delay); transient -> a plain error,
 * retried with the job's backoff. Nothing pauses a whole queue: one throttled message
 * must not slow every other one down (a carrier link that is slowed as a whole is paced by
 * its plugin). The thrown message is the stable code only: it is stored in Redis.
 * (The second parameter is ignored; it is kept so existing callers compile.)
 */
export async function toWorkerError(error: MasklineError, _worker?: unknown): Promise<Error> {
  const decision = retryDecisionFor(error);
  switch (decision.action) {
    case 'give_up':
      return new UnrecoverableError(error.code);
    case 'retry_after':
      return new RetryAfterError(error.code, decision.delayMs);
    case 'retry_with_backoff':
      return new Error(error.code);
  }
}

/** The backoff type of deliver jobs; workers of those queues pass `workerBackoffSettings`. */
export const CARRIER_BACKOFF = 'carrier';

/**
 * Exponential backoff (the job's delay doubled per attempt, as BullMQ's own), but never
 * shorter than what the carrier asked for with a retry_after answer.
 */
export const carrierBackoff: BackoffStrategy = (attemptsMade, _type, err, job) => {
  const delay = job?.opts.backoff && typeof job.opts.backoff === 'object' ? (job.opts.backoff.delay ?? 0) : 0;
  const exponential = Math.round(2 ** Math.max(attemptsMade - 1, 0) * delay);
  return err instanceof RetryAfterError ? Math.max(exponential, err.delayMs) : exponential;
};

/** Worker `settings` for queues whose jobs use CARRIER_BACKOFF. */
export const workerBackoffSettings = { backoffStrategy: carrierBackoff } as const;
