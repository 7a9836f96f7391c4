/**
 * `npm run bench:masking`: reserve + map + release cycles per second under concurrent
 * clients, against a real PostgreSQL and the real vault, through MaskingService (the code
 * the HTTP API calls). Starts a throwaway PostgreSQL unless MASKING_BENCH_DATABASE_URL
 * points at one (a fresh, empty database: it is migrated and filled).
 *
 * Options: --clients N (100), --seconds S (10), --numbers N (1000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger, systemClock } from '@maskline/core';
import { ensureInfraBinaries, freePort, startPostgres } from '@maskline/local-infra';
import { MaskingService, MaskingStore } from '@maskline/masking';
import { createPgPool, migrate, TenantRepository } from '@maskline/storage';
import { LocalKeyring, PgVault } from '@maskline/vault';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    numbers: { type: 'string', default: '1000' },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const numbers = Number(values.numbers);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function main(): Promise<void> {
  let stopPostgres: (() => Promise<void>) | null = null;
  let url = process.env.MASKING_BENCH_DATABASE_URL;
  const dir = mkdtempSync(join(tmpdir(), 'masking-bench-'));
  if (!url) {
    const binaries = ensureInfraBinaries((line) => console.log(`[infra] ${line}`));
    const { chmodSync } = await import('node:fs');
    chmodSync(dir, 0o755);
    const pg = await startPostgres({
      binDir: binaries.postgresBinDir,
      dataDir: join(dir, 'pg'),
      port: await freePort(),
      ephemeral: true,
    });
    url = pg.url;
    stopPostgres = () => pg.stop();
  }
  const pool = createPgPool({ connectionString: url, max: 40, applicationName: 'masking-bench' });
  try {
    await migrate(pool);
    const tenantId = await new TenantRepository(pool).create('bench');
    const vault = new PgVault({ pool, keyProvider: LocalKeyring.generate(), actor: 'bench' });
    // No cool-off: a released number is free again at once, so the pool never runs dry. The
    // low-watermark check runs on every reserve, as in production (default threshold 10).
    const service = new MaskingService(
      new MaskingStore(pool),
      vault,
      { schedule: async () => {} },
      silentLogger,
      systemClock,
      { quarantineMs: 0, lowWatermark: 10 },
    );
    const rows = Array.from({ length: numbers }, (_, i) => ({
      number: `+4479112${String(100000 + i).slice(1)}`,
      country: 'GB',
    }));
    await service.importNumbers(tenantId, 'sim', rows);
    const request = {
      mode: 'pair' as const,
      ttlSeconds: 3_600,
      constraints: { country: 'GB', carrierId: 'sim', capabilities: ['sms-mt' as const, 'sms-mo' as const] },
      nonParticipantPolicy: 'drop' as const,
      autoReplyText: null,
      inboxDelivery: 'participant' as const,
      participants: [],
    };
    const phases = { reserve: [] as number[], map: [] as number[], release: [] as number[] };
    const cycle = async (n: number) => {
      const t0 = performance.now();
      const { session } = await service.reserve(tenantId, request, null);
      const t1 = performance.now();
      await service.map(tenantId, session.id, [
        `+4479123${String(100000 + (n % 50_000)).slice(1)}`,
        `+4479124${String(100000 + (n % 50_000)).slice(1)}`,
      ]);
      const t2 = performance.now();
      await service.release(tenantId, session.id);
      phases.reserve.push(t1 - t0);
      phases.map.push(t2 - t1);
      phases.release.push(performance.now() - t2);
    };
    // Warm-up: keys loaded, plans cached.
    await Promise.all(Array.from({ length: 20 }, (_, i) => cycle(i)));

    for (const list of Object.values(phases)) list.length = 0;
    const latencies: number[] = [];
    const errors = new Map<string, number>();
    let counter = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          try {
            await cycle(counter++);
            latencies.push(performance.now() - t0);
          } catch (error) {
            const code = (error as { code?: string }).code ?? 'error';
            errors.set(code, (errors.get(code) ?? 0) + 1);
          }
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const sorted = latencies.sort((a, b) => a - b);
    const result = {
      clients,
      seconds: Number(elapsed.toFixed(2)),
      poolSize: numbers,
      cycles: latencies.length,
      cyclesPerSecond: Number((latencies.length / elapsed).toFixed(1)),
      latencyMs: {
        p50: Number(percentile(sorted, 50).toFixed(1)),
        p99: Number(percentile(sorted, 99).toFixed(1)),
        max: Number((sorted.at(-1) ?? Number.NaN).toFixed(1)),
      },
      phaseP50Ms: Object.fromEntries(
        Object.entries(phases).map(([name, list]) => [
          name,
          Number(
            percentile(
              [...list].sort((a, b) => a - b),
              50,
            ).toFixed(1),
          ),
        ]),
      ),
      errors: Object.fromEntries(errors),
    };
    console.log(
      `masking bench: ${result.cyclesPerSecond} reserve+map+release cycles/s with ${clients} clients ` +
        `(p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ${result.cycles} cycles, ` +
        `${errors.size === 0 ? 'no errors' : `errors ${JSON.stringify(result.errors)}`})`,
    );
    console.log(JSON.stringify(result));
    await vault.close();
  } finally {
    await pool.end();
    await stopPostgres?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
