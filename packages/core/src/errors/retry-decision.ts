import type { MasklineError } from './maskline-error.js';

/**
 * What a worker should do with a failed job. The one table mapping retry classes to
 * actions; queue adapters translate it to their mechanism (e.g. BullMQ's
 * UnrecoverableError, rate-limit delay or normal backoff).
 */
export type RetryDecision =
  | { action: 'give_up' }
  | { action: 'retry_after'; delayMs: number }
  | { action: 'retry_with_backoff' };

export const DEFAULT_RETRY_AFTER_MS = 1_000;

export function retryDecisionFor(error: MasklineError): RetryDecision {
  switch (error.retry) {
    case 'permanent':
      return { action: 'give_up' };
    case 'retry_after':
      return { action: 'retry_after', delayMs: error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS };
    case 'transient':
      return { action: 'retry_with_backoff' };
  }
}
