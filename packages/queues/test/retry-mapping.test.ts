import { MasklineError } from '@maskline/core';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import {
  CARRIER_BACKOFF,
  carrierBackoff,
  DEFAULT_JOB_LOCK,
  deliverJobOptions,
  jobRecoveryOptions,
  RetryAfterError,
  toWorkerError,
} from '../src/index.js';

const job = {
  opts: deliverJobOptions('0190c8a0-0000-7000-8000-000000000000', { attempts: 8, backoffMs: 100 }),
};

describe('retry mapping', () => {
  it('maps each retry class to an attempt of the job, never a queue-wide pause', async () => {
    expect(await toWorkerError(new MasklineError('carrier_rejected'))).toBeInstanceOf(UnrecoverableError);
    const throttled = await toWorkerError(new MasklineError('carrier_throttled', { retryAfterMs: 1_500 }));
    expect(throttled).toBeInstanceOf(RetryAfterError);
    expect(throttled).toMatchObject({ message: 'carrier_throttled', delayMs: 1_500 });
    const transient = await toWorkerError(new MasklineError('carrier_unavailable'));
    expect(transient).not.toBeInstanceOf(RetryAfterError);
    expect(transient.message).toBe('carrier_unavailable');
  });

  it('backs off exponentially, but never sooner than the carrier asked', () => {
    expect(job.opts.backoff).toEqual({ type: CARRIER_BACKOFF, delay: 100 });
    const plain = new Error('carrier_unavailable');
    expect([1, 2, 3, 4].map((n) => carrierBackoff(n, CARRIER_BACKOFF, plain, job as never))).toEqual([
      100, 200, 400, 800,
    ]);
    const throttled = new RetryAfterError('carrier_throttled', 1_000);
    expect(carrierBackoff(1, CARRIER_BACKOFF, throttled, job as never)).toBe(1_000);
    expect(carrierBackoff(5, CARRIER_BACKOFF, throttled, job as never)).toBe(1_600);
  });

  it('lets a dead process resume its jobs within 10 s by default, and never fails a stalled job at once', () => {
    const options = jobRecoveryOptions();
    expect(options.lockDuration! + options.stalledInterval!).toBeLessThanOrEqual(8_000);
    expect(options.maxStalledCount).toBeGreaterThan(1);
    expect(jobRecoveryOptions({ ...DEFAULT_JOB_LOCK, JOB_LOCK_MS: 9_000 }).lockDuration).toBe(9_000);
  });
});
