/** When a failed delivery is tried again, and when it stops (dead-letter). */
export interface RetrySchedule {
  /** First retry delay (doubled per attempt). */
  baseMs: number;
  /** Longest delay between two attempts. */
  capMs: number;
  /** Retries stop when an attempt fails this long after the delivery's retry_from. */
  retryForMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  baseMs: 10_000,
  capMs: 3_600_000,
  retryForMs: 24 * 3_600_000,
};

/**
 * Exponential backoff with "equal jitter": half the delay fixed, half random, so retries
 * of many deliveries that failed together spread out. Null = give up (dead-letter).
 */
export function nextAttemptAt(
  schedule: RetrySchedule,
  attempt: number,
  retryFrom: Date,
  now: number,
  random: () => number = Math.random,
): Date | null {
  if (now - retryFrom.getTime() >= schedule.retryForMs) return null;
  const exp = Math.min(schedule.capMs, schedule.baseMs * 2 ** Math.min(attempt - 1, 30));
  const delay = exp / 2 + random() * (exp / 2);
  return new Date(now + Math.round(delay));
}
