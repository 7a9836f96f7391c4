import { MasklineError, uuidv7 } from '@maskline/core';
import { createRedisConnection } from '@maskline/queues';
import { blankShreddedTenantForms, VerificationBlockRepository } from '@maskline/storage';
import { createTestDatabase, seedTenant, type TestDatabase, uniqueQueuePrefix } from '@maskline/testing';
import { DEFAULT_PUMPING_THRESHOLDS } from '@maskline/verification';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PumpingGuard } from '../src/verifications/pumping-guard.js';

describe('PumpingGuard (real PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let redis: Redis;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    redis = createRedisConnection(inject('redisUrl'), 'producer');
  });
  afterAll(async () => {
    redis.disconnect();
    await db.drop();
  });

  async function setup(minSends = 20) {
    const { tenantId } = await seedTenant(db.pool);
    const prefix = uniqueQueuePrefix();
    const guard = new PumpingGuard(
      redis,
      new VerificationBlockRepository(db.pool),
      db.vault,
      db.vault,
      { ...DEFAULT_PUMPING_THRESHOLDS, minSends },
      prefix,
    );
    return { tenantId, guard, prefix };
  }

  const blocksOf = async (tenantId: string) =>
    (await db.pool.query('SELECT range_prefix FROM verification_blocks WHERE tenant_id = $1', [tenantId]))
      .rows;

  it('30 concurrent sends to one unchecked range: 19 pass, the rest are refused, one block, one audit entry', async () => {
    const { tenantId, guard } = await setup();
    const range = guard.rangeOf('+37369001234');
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () => guard.countSend(tenantId, range, uuidv7(), 300)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(19);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refused.every((e) => e instanceof MasklineError && e.code === 'verification_range_blocked')).toBe(
      true,
    );
    expect(new Set(refused.map((e) => (e as MasklineError).details?.blockId)).size).toBe(1);
    expect(await blocksOf(tenantId)).toEqual([{ range_prefix: '+3736900' }]);
    const audit = await db.pool.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = $1 AND action = 'verification.range_blocked'",
      [tenantId],
    );
    expect(audit.rows[0].n).toBe(1);
    await expect(guard.assertOpen(tenantId, range)).rejects.toMatchObject({
      code: 'verification_range_blocked',
    });
    // Another range of the same tenant is open.
    await guard.assertOpen(tenantId, guard.rangeOf('+37369011234'));
    // A shred deletes the tenant's blocks with their prefixes.
    expect((await blankShreddedTenantForms(db.pool, tenantId)).verificationBlocks).toBe(1);
    expect(await blocksOf(tenantId)).toEqual([]);
  });

  it('approvals keep a range open; a verification approved twice counts once', async () => {
    const { tenantId, guard } = await setup();
    const range = guard.rangeOf('+447946001234');
    const ids = Array.from({ length: 40 }, () => uuidv7());
    // Two of the first ten are approved: 2/20 = 10 % at the 20th send, not below the threshold.
    for (const [i, id] of ids.slice(0, 10).entries()) {
      await guard.countSend(tenantId, range, id, 300);
      if (i < 2) {
        await guard.countApproval(tenantId, id);
        await guard.countApproval(tenantId, id);
      }
    }
    for (const id of ids.slice(10, 20)) await guard.countSend(tenantId, range, id, 300);
    expect(await blocksOf(tenantId)).toEqual([]);
    // Without more approvals the rate falls below 10 % at the 21st send.
    await expect(guard.countSend(tenantId, range, ids[20]!, 300)).rejects.toMatchObject({
      code: 'verification_range_blocked',
    });
  });

  it('a resend counts as a send of the same verification', async () => {
    const { tenantId, guard } = await setup(3);
    const range = guard.rangeOf('+447946001234');
    const id = uuidv7();
    await guard.countSend(tenantId, range, id, 300);
    await guard.countSend(tenantId, range, id, 300);
    await expect(guard.countSend(tenantId, range, id, 300)).rejects.toMatchObject({
      code: 'verification_range_blocked',
    });
  });

  it('with minSends 0 nothing is counted or blocked', async () => {
    const { tenantId, guard, prefix } = await setup(0);
    const range = guard.rangeOf('+447946001234');
    for (let i = 0; i < 50; i++) await guard.countSend(tenantId, range, uuidv7(), 300);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
    expect(await blocksOf(tenantId)).toEqual([]);
  });
});
