import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY_SCOPES } from '@maskline/core';
import { ApiKeyRepository, createPgPool, listMigrations, MIGRATIONS_DIR, migrate } from '@maskline/storage';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_PEPPER } from '../src/seed.js';

const MIGRATION = '0024_api_key_scopes';

/** Migration 0024 on a database holding keys made before scopes: they keep every right. */
describe(`migration ${MIGRATION} on existing keys`, () => {
  const name = `t_${randomBytes(6).toString('hex')}`;
  let admin: pg.Pool;
  let pool: pg.Pool;
  let before: string;

  beforeAll(async () => {
    admin = createPgPool({ connectionString: inject('postgresUrl'), max: 1 });
    await admin.query(`CREATE DATABASE ${name}`);
    pool = createPgPool({ connectionString: inject('postgresUrl').replace(/\/[^/]*$/, `/${name}`), max: 2 });
    before = await mkdtemp(join(tmpdir(), 'maskline-migrations-'));
    for (const file of await listMigrations())
      if (file < `${MIGRATION}.sql`) await copyFile(join(MIGRATIONS_DIR, file), join(before, file));
    await migrate(pool, before);
  });
  afterAll(async () => {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await rm(before, { recursive: true, force: true });
  });

  it('gives keys made before scopes every scope, no expiry, and they still authenticate', async () => {
    const keys = new ApiKeyRepository(pool, TEST_PEPPER);
    const tenantId = '0190a000-0000-7000-8000-000000000001';
    const keyId = '0190a000-0000-7000-8000-000000000002';
    const apiKey = `ml_live_${'a'.repeat(32)}`;
    await pool.query("INSERT INTO tenants (id, name) VALUES ($1, 'old')", [tenantId]);
    await pool.query(
      `INSERT INTO api_keys (id, tenant_id, name, key_prefix, key_digest) VALUES ($1, $2, 'old', $3, $4)`,
      [keyId, tenantId, apiKey.slice(0, 12), keys.digest(apiKey)],
    );
    expect((await migrate(pool)).applied).toContain(MIGRATION);
    const key = await keys.authenticate(apiKey);
    expect(key).toMatchObject({ keyId, tenantId, expiresAt: null });
    // Every scope that existed then; users:manage (0032) and reveal:approve (0036) came
    // later and are granted explicitly.
    const later: readonly string[] = ['users:manage', 'reveal:approve'];
    const scopesThen = API_KEY_SCOPES.filter((scope) => !later.includes(scope));
    expect([...(key?.scopes ?? [])].sort()).toEqual([...scopesThen].sort());
  });
});
