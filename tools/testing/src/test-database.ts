import { randomBytes } from 'node:crypto';
import { createPgPool, migrate } from '@maskline/storage';
import type pg from 'pg';

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A fresh, migrated database on the run's PostgreSQL, so tests never share rows. */
export async function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = createPgPool({ connectionString: serverUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = serverUrl.replace(/\/[^/]*$/, `/${name}`);
  const pool = createPgPool({ connectionString: url, max: 5 });
  await migrate(pool);
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export function uniqueQueuePrefix(): string {
  return `t${randomBytes(4).toString('hex')}`;
}
