import type { Clock } from '@maskline/core';
import { ApiKeyRepository } from '@maskline/storage';
import { createTestDatabase, seedTenant, TEST_PEPPER, type TestDatabase } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CachedApiKeyAuthenticator } from '../src/auth/api-key-cache.js';

describe('CachedApiKeyAuthenticator', () => {
  let db: TestDatabase;
  let now = 0;
  const clock: Clock = { now: () => new Date(now) };

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('answers from memory within the TTL, and a revoked key stops working after it', async () => {
    const { tenantId, apiKey } = await seedTenant(db.pool);
    const auth = new CachedApiKeyAuthenticator(new ApiKeyRepository(db.pool, TEST_PEPPER), clock, 30_000);
    expect(await auth.authenticate(apiKey)).toMatchObject({ tenantId });
    await db.pool.query('UPDATE api_keys SET revoked_at = now()');
    now += 29_000;
    expect(await auth.authenticate(apiKey)).toMatchObject({ tenantId });
    now += 2_000;
    expect(await auth.authenticate(apiKey)).toBeNull();
  });

  it('never caches a failure and asks the database every time with TTL 0', async () => {
    const { apiKey } = await seedTenant(db.pool);
    const repository = new ApiKeyRepository(db.pool, TEST_PEPPER);
    const auth = new CachedApiKeyAuthenticator(repository, clock, 0);
    expect(await auth.authenticate(apiKey)).not.toBeNull();
    await db.pool.query('UPDATE api_keys SET revoked_at = now()');
    expect(await auth.authenticate(apiKey)).toBeNull();
    const cached = new CachedApiKeyAuthenticator(repository, clock, 30_000);
    expect(await cached.authenticate('ml_live_wrongwrongwrongwrongwrongwrongwrong')).toBeNull();
  });

  it('parses an IP allowlist once per lookup and keeps it with the cached key; forget applies a change at once', async () => {
    const { tenantId } = await seedTenant(db.pool, 'allowlisted');
    const repository = new ApiKeyRepository(db.pool, TEST_PEPPER);
    const created = await repository.createKey({ tenantId, name: 'p', allowedCidrs: ['192.0.2.0/24'] });
    const auth = new CachedApiKeyAuthenticator(repository, clock, 30_000);
    const first = await auth.authenticate(created.apiKey);
    const second = await auth.authenticate(created.apiKey);
    expect(first?.allowlist?.allows('192.0.2.1')).toBe(true);
    expect(first?.allowlist?.allows('198.51.100.1')).toBe(false);
    // The same parsed list serves the next request: no parse on the cached path.
    expect(second?.allowlist).toBe(first?.allowlist);

    await repository.setAllowedCidrs(created.keyId, tenantId, null);
    expect((await auth.authenticate(created.apiKey))?.allowlist).toBe(first?.allowlist);
    auth.forget(created.keyId);
    expect((await auth.authenticate(created.apiKey))?.allowlist).toBeNull();
  });

  it('keeps at most maxEntries keys', async () => {
    const repository = new ApiKeyRepository(db.pool, TEST_PEPPER);
    const auth = new CachedApiKeyAuthenticator(repository, clock, 30_000, 2);
    const keys = await Promise.all([1, 2, 3].map(async (i) => (await seedTenant(db.pool, `t${i}`)).apiKey));
    for (const key of keys) await auth.authenticate(key);
    await db.pool.query('UPDATE api_keys SET revoked_at = now()');
    // The first key was evicted, so it goes back to the database and is refused.
    expect(await auth.authenticate(keys[0]!)).toBeNull();
    expect(await auth.authenticate(keys[2]!)).not.toBeNull();
  });

  it('stamps last_used_at in the background at most once a minute per key', async () => {
    const { apiKey } = await seedTenant(db.pool, 'last used');
    const repository = new ApiKeyRepository(db.pool, TEST_PEPPER);
    const auth = new CachedApiKeyAuthenticator(repository, clock, 30_000);
    const lastUsed = async () => {
      const { rows } = await db.pool.query('SELECT last_used_at FROM api_keys WHERE key_digest = $1', [
        repository.digest(apiKey),
      ]);
      return rows[0].last_used_at as Date | null;
    };
    expect(await lastUsed()).toBeNull();
    await auth.authenticate(apiKey);
    await expect.poll(lastUsed).not.toBeNull();
    await db.pool.query('UPDATE api_keys SET last_used_at = NULL');
    now += 59_000;
    await auth.authenticate(apiKey);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await lastUsed()).toBeNull();
    now += 2_000;
    await auth.authenticate(apiKey);
    await expect.poll(lastUsed).not.toBeNull();
  });
});
