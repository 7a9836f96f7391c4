import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgPool, listMigrations, MIGRATIONS_DIR, migrate } from '@maskline/storage';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const MIGRATION = '0008_receipts_once_and_deadlines';

/**
 * Migration 0008 on a database that already holds the copies a carrier's redelivery left
 * behind: one row per receipt (and per carrier-identified MO) stays, nothing else goes.
 */
describe(`migration ${MIGRATION} on existing duplicates`, () => {
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

  it('keeps the earliest copy of each receipt and MO, keeps distinct ones, then refuses new copies', async () => {
    const receipt = (id: string, cmid: string, stat: string, doneAt: string | null) =>
      pool.query(
        `INSERT INTO receipts (id, carrier_id, carrier_message_id, outcome, carrier_status, done_at)
         VALUES ($1, 'sim', $2, 'delivered', $3, $4)`,
        [id, cmid, stat, doneAt],
      );
    const ids = (n: number) => `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`;
    await receipt(ids(1), 'a', 'DELIVRD', '2026-03-01T10:15:00Z');
    await receipt(ids(2), 'a', 'DELIVRD', '2026-03-01T10:15:00Z');
    await receipt(ids(3), 'a', 'UNDELIV', '2026-03-01T10:15:00Z');
    await receipt(ids(4), 'b', 'DELIVRD', null);
    await receipt(ids(5), 'b', 'DELIVRD', null);
    const mo = (id: string, cmid: string | null) =>
      pool.query(
        `INSERT INTO inbound_messages (id, carrier_id, to_number, carrier_message_id, received_at)
         VALUES ($1, 'sim', '+447911000000', $2, now())`,
        [id, cmid],
      );
    await mo(ids(11), 'mo-1');
    await mo(ids(12), 'mo-1');
    await mo(ids(13), null);
    await mo(ids(14), null);

    expect((await migrate(pool)).applied).toContain(MIGRATION);

    const kept = await pool.query<{ id: string }>('SELECT id FROM receipts ORDER BY id');
    expect(kept.rows.map((r) => r.id)).toEqual([ids(1), ids(3), ids(4)]);
    const keptMo = await pool.query<{ id: string }>('SELECT id FROM inbound_messages ORDER BY id');
    expect(keptMo.rows.map((r) => r.id)).toEqual([ids(11), ids(13), ids(14)]);
    await expect(receipt(ids(6), 'b', 'DELIVRD', null)).rejects.toThrow(/receipts_once/);
  });
});
