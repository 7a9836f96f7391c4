import type { Logger } from '@maskline/core';
import type { SubmittedUpdate } from '@maskline/storage';
import type { DeliveryStore } from './delivery-store.js';

/**
 * Records `submitted` once the carrier has the message. Failing the job then would submit
 * it again on retry, so the write is retried (backoff capped at `maxBackoffMs`) for as long
 * as this process lives; BullMQ keeps renewing the job's lock meanwhile, so no other worker
 * takes it. Only a crash can leave it unrecorded (then the retry may send it again). Logged
 * once when the writes start failing and once when one succeeds again.
 */
export async function recordSubmittedUntilDone(
  store: Pick<DeliveryStore, 'markSubmitted'>,
  logger: Logger,
  update: SubmittedUpdate,
  maxBackoffMs: number,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.markSubmitted(update);
      if (attempt > 1) logger.info({ messageId: update.id, attempts: attempt }, 'recorded submitted');
      return;
    } catch (error) {
      if (attempt === 1) {
        logger.warn(
          { messageId: update.id, err: error },
          'recording submitted failed; retrying until it succeeds',
        );
      }
      const delay = Math.min(50 * 2 ** attempt, maxBackoffMs);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
