import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, ensureInfraBinaries, freePort, startPostgres, startRedis } from '@maskline/local-infra';
import {
  createTestDatabase,
  seedTenant,
  TEST_IDEMPOTENCY_SECRET,
  TEST_PEPPER,
  type TestDatabase,
  uniqueQueuePrefix,
} from '@maskline/testing';

export interface BenchInfra {
  redisUrl: string;
  db: TestDatabase;
  /** A seeded tenant's API key (every scope). */
  apiKey: string;
  /** Runs before the infrastructure stops (e.g. stopping the apps that use it). */
  onClose(cleanup: () => Promise<void>): void;
  /** The ingest as a real process on this infrastructure (stopped by close()); its URL. */
  startIngest(env: Record<string, string>): Promise<string>;
  /** Process ids of what runs here (PostgreSQL's postmaster, Redis, the last ingest started). */
  pids(): { postgres?: number; redis?: number; ingest?: number };
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
    let ingestPid: number | undefined;
    const startIngest = async (env: Record<string, string>): Promise<string> => {
      const ingest = new AppProcess('ingest', {
        DATABASE_URL: db.appUrl,
        REDIS_URL: redis.url,
        QUEUE_PREFIX: uniqueQueuePrefix(),
        LOG_LEVEL: 'info',
        PORT: '0',
        API_KEY_PEPPER: TEST_PEPPER,
        IDEMPOTENCY_KEY_SECRET: TEST_IDEMPOTENCY_SECRET,
        CARRIERS: JSON.stringify([{ id: 'sim', plugin: 'smpp' }]),
        ...db.vaultEnv,
        ...env,
      });
      cleanups.unshift(() => ingest.stop());
      await ingest.start(/ingest listening/);
      ingestPid = ingest.pid;
      const line = ingest.lines.find((l) => l.includes('ingest listening')) ?? '';
      const url = /"address":"([^"]+)"/.exec(line)?.[1];
      if (!url) throw new Error('the ingest did not log its address');
      return url;
    };
    return {
      redisUrl: redis.url,
      db,
      apiKey,
      onClose: (cleanup) => void cleanups.unshift(cleanup),
      startIngest,
      pids: () => ({
        ...(postgres.handle.process.pid ? { postgres: postgres.handle.process.pid } : {}),
        ...(redis.handle.process.pid ? { redis: redis.handle.process.pid } : {}),
        ...(ingestPid ? { ingest: ingestPid } : {}),
      }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
