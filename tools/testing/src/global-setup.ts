import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureInfraBinaries, freePort, startPostgres, startRedis } from '@maskline/local-infra';
import type { TestProject } from 'vitest/node';

import './provided-context.js';

/**
 * One real Redis and one real PostgreSQL per integration run, on free loopback ports, in
 * a throwaway directory. Each test then takes its own database and queue prefix.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binaries = ensureInfraBinaries((line) => console.log(`[test-infra] ${line}`));
  const dir = mkdtempSync(join(tmpdir(), 'maskline-test-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user when we are root
  const [redisPort, pgPort] = [await freePort(), await freePort()];
  const [redis, postgres] = await Promise.all([
    startRedis({ redisServer: binaries.redisServer, dataDir: join(dir, 'redis'), port: redisPort }),
    startPostgres({
      binDir: binaries.postgresBinDir,
      dataDir: join(dir, 'pg'),
      port: pgPort,
      ephemeral: true,
    }),
  ]);
  project.provide('redisUrl', redis.url);
  project.provide('postgresUrl', postgres.url);
  return async () => {
    await Promise.all([redis.stop(), postgres.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
}
