import { randomBytes } from 'node:crypto';
import { createPgPool, ensureAppLoginRole, migrate, withUser } from '@maskline/storage';
import { LocalKeyring, PgVault } from '@maskline/vault';
import type pg from 'pg';

/** The login role the apps connect as (a member of maskline_app), as in production. */
export const TEST_APP_ROLE = 'maskline_apps';

export interface TestDatabase {
  /** As the owner (migrations, test setup). */
  url: string;
  /** As the apps' role: no UPDATE or DELETE on the audit log. */
  appUrl: string;
  pool: pg.Pool;
  /** A fresh keyring for this database; apps get it as MASKLINE_KEYRING (see vaultEnv). */
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
  await ensureAppLoginRole(pool, TEST_APP_ROLE);
  const keyring = LocalKeyring.generate();
  return {
    url,
    appUrl: withUser(url, TEST_APP_ROLE),
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
