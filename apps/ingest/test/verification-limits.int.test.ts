import { MasklineError } from '@maskline/core';
import { createRedisConnection } from '@maskline/queues';
import { uniqueQueuePrefix } from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { VerificationLimits } from '../src/verifications/verification-limits.js';

const TENANT = '0190f5a0-0000-7000-8000-00000000000a';

async function refusal(p: Promise<void>): Promise<MasklineError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof MasklineError)) throw new Error('expected a refusal');
  return error;
}

describe('VerificationLimits (real Redis)', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedisConnection(inject('redisUrl'), 'producer');
  });
  afterAll(() => redis.disconnect());

  const limits = (
    settings: Partial<ConstructorParameters<typeof VerificationLimits>[1]>,
    prefix = uniqueQueuePrefix(),
  ) =>
    new VerificationLimits(
      redis,
      { perDestinationMinute: 0, perDestinationHour: 0, perDestinationDay: 0, perTenantHour: 0, ...settings },
      prefix,
    );

  it('one a minute per destination: the second is refused with the window left, another number passes', async () => {
    const l = limits({ perDestinationMinute: 1 });
    await l.take(TENANT, 'dest-a', 'send');
    const refused = await refusal(l.take(TENANT, 'dest-a', 'send'));
    expect(refused.code).toBe('verification_rate_limited');
    expect(refused.retryAfterMs).toBeGreaterThan(55_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    await l.take(TENANT, 'dest-b', 'send');
    // A resend skips the per-minute window (its own cool-down applies).
    await l.take(TENANT, 'dest-a', 'resend');
  });

  it('per number range and per country in an hour, across different numbers', async () => {
    const l = limits({ perRangeHour: 2, perCountryHour: 3 });
    await l.take(TENANT, 'n1', 'send', { range: 'range-a', country: 'GB' });
    await l.take(TENANT, 'n2', 'send', { range: 'range-a', country: 'GB' });
    const rangeFull = await refusal(l.take(TENANT, 'n3', 'send', { range: 'range-a', country: 'GB' }));
    expect(rangeFull.code).toBe('verification_rate_limited');
    expect(rangeFull.retryAfterMs).toBeGreaterThan(3_500_000);
    // Another range of the same country passes until the country's window is full.
    await l.take(TENANT, 'n4', 'send', { range: 'range-b', country: 'GB' });
    expect((await refusal(l.take(TENANT, 'n5', 'send', { range: 'range-c', country: 'GB' }))).code).toBe(
      'verification_rate_limited',
    );
    await l.take(TENANT, 'n6', 'send', { range: 'range-d', country: 'FR' });
    // Without the settings (0 / absent) neither window applies.
    const open = limits({});
    for (let i = 0; i < 5; i++) await open.take(TENANT, `m${i}`, 'send', { range: 'range-a', country: 'GB' });
  });

  it('hour and day windows count sends and resends; a refused request uses nothing up', async () => {
    const prefix = uniqueQueuePrefix();
    const l = limits({ perDestinationHour: 3, perDestinationDay: 4 }, prefix);
    await l.take(TENANT, 'd', 'send');
    await l.take(TENANT, 'd', 'resend');
    await l.take(TENANT, 'd', 'send');
    const refused = await refusal(l.take(TENANT, 'd', 'resend'));
    expect(refused.retryAfterMs).toBeGreaterThan(3_500_000);
    // Refusals did not count in the day window: raising the hour window lets exactly one more through.
    const wider = limits({ perDestinationHour: 10, perDestinationDay: 4 }, prefix);
    await wider.take(TENANT, 'd', 'send');
    expect((await refusal(wider.take(TENANT, 'd', 'send'))).retryAfterMs).toBeGreaterThan(86_000_000);
  });

  it('per tenant: the limit holds across destinations, and only for that tenant', async () => {
    const l = limits({ perTenantHour: 5 });
    for (let i = 0; i < 5; i += 1) await l.take(TENANT, `n${i}`, 'send');
    expect((await refusal(l.take(TENANT, 'n9', 'send'))).code).toBe('verification_rate_limited');
    await l.take(TENANT.replace(/a$/, 'b'), 'n9', 'send');
  });

  it('20 concurrent sends to one destination: exactly the limit passes', async () => {
    const l = limits({ perDestinationHour: 5 });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => l.take(TENANT, 'burst', 'send')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
  });
});
