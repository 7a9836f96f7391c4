import { randomBytes } from 'node:crypto';
import { createPgPool, migrate } from '@maskline/storage';
import { LocalKeyring, PgVault } from '@maskline/vault';
import type pg from 'pg';

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  /** A fresh keyring for this database; apps get it as MASKLINE_KEYRING (see appEnv). */
  keyring: LocalKeyring;
  /** The real vault over this database and keyring, for repositories built in tests. */
  vault: PgVault;
  /** Environment that points an app at this database's keys. */
  vaultEnv: Record<string, string>;
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
  const keyring = LocalKeyring.generate();
  return {
    url,
    pool,
    keyring,
    vault: new PgVault({ pool, keyProvider: keyring, actor: 'test' }),
    vaultEnv: { VAULT_KEY_PROVIDER: 'local', MASKLINE_KEYRING: keyring.toJson() },
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
