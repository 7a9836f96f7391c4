import { uuidv7 } from '@maskline/core';
import { ApiKeyRepository, type NewMessage, TenantRepository } from '@maskline/storage';
import type pg from 'pg';

export const TEST_PEPPER = 'test-pepper-0123456789abcdef';
/** The ingest's IDEMPOTENCY_KEY_SECRET in tests: its own secret, not TEST_PEPPER. */
export const TEST_IDEMPOTENCY_SECRET = 'test-idempotency-secret-0123456789';
/** VERIFICATION_CODE_SECRET of test ingests (>= 32 characters). */
export const TEST_VERIFICATION_SECRET = 'test-verification-secret-0123456789abcdef';

/** A tenant and an API key for it; returns the key in clear. */
export async function seedTenant(pool: pg.Pool, name = 'test tenant', pepper = TEST_PEPPER) {
  const tenantId = await new TenantRepository(pool).create(name);
  const { apiKey } = await new ApiKeyRepository(pool, pepper).create(tenantId, 'test key');
  return { tenantId, apiKey };
}

/** A NewMessage for tests: a fresh id and harmless defaults, overridable field by field. */
export function testMessage(tenantId: string, overrides: Partial<NewMessage> = {}): NewMessage {
  return {
    id: uuidv7(),
    tenantId,
    carrierId: 'sim',
    to: '+447911123456',
    from: 'Test',
    body: 'hello',
    segments: 1,
    idempotencyKey: null,
    requestDigest: null,
    traceContext: null,
    ...overrides,
  };
}
