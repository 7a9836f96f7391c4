import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureInfraBinaries, freePort, startPostgres, startRedis } from '@maskline/local-infra';
import { createTestDatabase, seedTenant, type TestDatabase } from '@maskline/testing';

export interface BenchInfra {
  redisUrl: string;
  db: TestDatabase;
  /** A seeded tenant's API key (every scope). */
  apiKey: string;
  /** Runs before the infrastructure stops (e.g. stopping the apps that use it). */
  onClose(cleanup: () => Promise<void>): void;
  close(): Promise<void>;
}

/**
 * A throwaway Redis and PostgreSQL (installed from Debian packages if missing) under a
 * temporary folder, a migrated database with a seeded tenant: what a single-purpose bench
 * (`bench:otp`, `bench:ingest`) stands on. close() stops everything and removes the folder.
 */
export async function startBenchInfra(name: string, log: (line: string) => void): Promise<BenchInfra> {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  chmodSync(dir, 0o755);
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const binaries = ensureInfraBinaries(log);
    const redis = await startRedis({
      redisServer: binaries.redisServer,
      dataDir: join(dir, 'redis'),
      port: await freePort(),
    });
    cleanups.push(() => redis.stop());
    const postgres = await startPostgres({
      binDir: binaries.postgresBinDir,
      dataDir: join(dir, 'pg'),
      port: await freePort(),
      ephemeral: true,
    });
    cleanups.push(() => postgres.stop());
    const db = await createTestDatabase(postgres.url);
    cleanups.unshift(() => db.drop());
    const { apiKey } = await seedTenant(db.pool);
    return { redisUrl: redis.url, db, apiKey, onClose: (cleanup) => void cleanups.unshift(cleanup), close };
  } catch (error) {
    await close();
    throw error;
  }
}
