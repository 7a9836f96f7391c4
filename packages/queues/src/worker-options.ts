import type { WorkerOptions } from 'bullmq';
import { z } from 'zod';

/**
 * How fast the work of a dead process resumes. A worker holds a lock on each job it runs
 * and renews it every JOB_LOCK_MS / 2 while the job runs (however long the carrier takes);
 * every JOB_STALLED_CHECK_MS a live worker moves jobs whose lock has lapsed back to wait.
 * So a killed process's jobs run again within about JOB_LOCK_MS + JOB_STALLED_CHECK_MS.
 *
 * The trade-off: a process whose event loop is blocked longer than JOB_LOCK_MS cannot renew
 * its locks, and its jobs are handed to another worker while it still runs them (for a
 * deliver job that can mean the same SMS twice). Keep the lock well above the longest
 * pause you expect (GC, a saturated CPU); BullMQ's own default is 30 s.
 */
export const jobLockConfigShape = {
  /** How long a job's lock lives without renewal (renewed every half of it). */
  JOB_LOCK_MS: z.coerce.number().int().min(1_000).default(5_000),
  /** How often workers look for jobs whose lock lapsed (their process died). */
  JOB_STALLED_CHECK_MS: z.coerce.number().int().min(100).default(2_000),
};

export interface JobLockConfig {
  JOB_LOCK_MS: number;
  JOB_STALLED_CHECK_MS: number;
}

export const DEFAULT_JOB_LOCK: JobLockConfig = { JOB_LOCK_MS: 5_000, JOB_STALLED_CHECK_MS: 2_000 };

/**
 * A job that stalled (its process died) is run again, not failed: failing it would leave
 * its message or receipt waiting, and the sweeps cannot re-add a job whose id still exists.
 * The bound only stops a job that kills every process that takes it from cycling forever.
 */
export const MAX_STALLED_RUNS = 20;

/** Worker options for lock and stalled-job recovery, shared by every worker of our queues. */
export function jobRecoveryOptions(
  config: JobLockConfig = DEFAULT_JOB_LOCK,
): Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'> {
  return {
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.JOB_STALLED_CHECK_MS,
    maxStalledCount: MAX_STALLED_RUNS,
  };
}
