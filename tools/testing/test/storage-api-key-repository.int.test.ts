import { ApiKeyRepository } from '@maskline/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedTenant } from '../src/seed.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

describe('ApiKeyRepository', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('authenticates a created key and stores only its digest', async () => {
    const { tenantId } = await seedTenant(db.pool);
    const keys = new ApiKeyRepository(db.pool, 'pepper-0123456789abcdef');
    const { apiKey } = await keys.create(tenantId, 'ci');
    expect(await keys.authenticate(apiKey)).toMatchObject({ tenantId });
    const stored = await db.pool.query('SELECT * FROM api_keys');
    expect(JSON.stringify(stored.rows)).not.toContain(apiKey);
  });

  it('rejects unknown, malformed and other-pepper keys', async () => {
    const { tenantId } = await seedTenant(db.pool);
    const keys = new ApiKeyRepository(db.pool, 'pepper-0123456789abcdef');
    const { apiKey } = await keys.create(tenantId, 'ci');
    expect(await keys.authenticate('nonsense')).toBeNull();
    // Change the last character to a different one (never the same: that was a 1-in-64 flake).
    const altered = `${apiKey.slice(0, -1)}${apiKey.endsWith('x') ? 'y' : 'x'}`;
    expect(await keys.authenticate(altered)).toBeNull();
    expect(await new ApiKeyRepository(db.pool, 'another-pepper-0123456').authenticate(apiKey)).toBeNull();
  });
});
