import { type MasklineError, retryDecisionFor } from '@maskline/core';
import { UnrecoverableError, Worker } from 'bullmq';

/**
 * Turns a failed job's MasklineError into what BullMQ understands, per the core retry
 * table: permanent -> UnrecoverableError (no retry); retry_after -> pause the whole
 * queue for the delay (the carrier asked us to slow down) and retry the job;
 * transient -> a plain error, retried with the job's backoff.
 * The thrown message is the stable code only: it is stored in Redis.
 */
export async function toWorkerError(error: MasklineError, worker: Worker): Promise<Error> {
  const decision = retryDecisionFor(error);
  switch (decision.action) {
    case 'give_up':
      return new UnrecoverableError(error.code);
    case 'retry_after':
      await worker.rateLimit(decision.delayMs);
      return Worker.RateLimitError();
    case 'retry_with_backoff':
      return new Error(error.code);
  }
}
