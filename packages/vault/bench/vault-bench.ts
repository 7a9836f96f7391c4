/**
 * `npm run bench:vault`: the cost of encryption on the send path, measured in one run, and
 * the operator's rotations under load (rotation-under-load.ts; BENCH_ROTATION_* below).
 *
 * 1. CPU only: seal the three fields of a message and open them again, per core.
 * 2. The send path's database work against a real, durable PostgreSQL: insertManyAccepted
 *    (ingest's group commit) then loadManyForDelivery (the worker's batched load), in
 *    batches of 64, once with the real vault and once with a pass-through stand-in that
 *    stores the same bytes unencrypted, alternating rounds so both see the same machine.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SealBinding, TenantVault, Vault } from '@maskline/core';
import { ensureInfraBinaries, freePort, startPostgres } from '@maskline/local-infra';
import {
  createPgPool,
  MessageRepository,
  migrate,
  type NewMessage,
  TenantRepository,
} from '@maskline/storage';
import { LocalKeyring, PgVault } from '@maskline/vault';
import { rotationUnderLoad } from './rotation-under-load.js';

const BATCH = 64;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 40);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Rotation under load: tenants, stored messages per tenant, and the send rate served meanwhile. */
const ROTATION_TENANTS = Number(process.env.BENCH_ROTATION_TENANTS ?? 20);
const ROTATION_MESSAGES = Number(process.env.BENCH_ROTATION_MESSAGES ?? 500);
const ROTATION_RATE = Number(process.env.BENCH_ROTATION_RATE ?? 200);

/** Stores values as plain UTF-8: the "without encryption" baseline. Never used outside this file. */
class PassThroughVault implements Vault {
  async forTenant(tenantId: string): Promise<TenantVault> {
    return {
      tenantId,
      activeVersion: 1,
      seal: (_b: SealBinding, plaintext: string) => Buffer.from(plaintext, 'utf8'),
      open: (_b: SealBinding, sealed: Buffer) => sealed.toString('utf8'),
      blindIndex: (value: string) => Buffer.from(value),
      token: (kind, value) => `${kind}_${value.length}`,
    };
  }

  async openFor(_tenantId: string, _binding: SealBinding, sealed: Buffer): Promise<string> {
    return sealed.toString('utf8');
  }
}

function messages(tenantId: string, n: number): NewMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    tenantId,
    carrierId: 'sim',
    to: `+4479${String(11_000_000 + i).padStart(8, '0')}`,
    from: 'Maskline',
    body: `Your verification code is ${String(100000 + i)}. It expires in 5 minutes.`,
    segments: 1,
    idempotencyKey: null,
    requestDigest: null,
    traceContext: null,
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function cpuOnly(vault: PgVault, tenantId: string): Promise<number> {
  const tv = await vault.forTenant(tenantId);
  const sample = messages(tenantId, 1)[0]!;
  const n = 50_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    for (const [field, value] of [
      ['to_number', sample.to],
      ['from_number', sample.from],
      ['body', sample.body],
    ] as const) {
      const binding = { recordId: sample.id, field };
      tv.open(binding, tv.seal(binding, value));
    }
  }
  return n / ((performance.now() - start) / 1000);
}

async function sendPath(repo: MessageRepository, tenantId: string): Promise<number> {
  const start = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const batch = messages(tenantId, BATCH);
    await repo.insertManyAccepted(batch);
    const loaded = await repo.loadManyForDelivery(batch.map((m) => m.id));
    if (loaded.some((r) => !r?.content)) throw new Error('a message did not open');
  }
  return (BATCHES * BATCH) / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  const binaries = ensureInfraBinaries((line) => console.error(line));
  const dataDir = mkdtempSync(join(tmpdir(), 'vault-bench-'));
  const postgres = await startPostgres({ binDir: binaries.postgresBinDir, dataDir, port: await freePort() });
  const pool = createPgPool({ connectionString: postgres.url, max: 4 });
  try {
    await migrate(pool);
    const tenantId = await new TenantRepository(pool).create('bench');
    const vault = new PgVault({ pool, keyProvider: LocalKeyring.generate(), actor: 'bench' });
    const encrypted = new MessageRepository(pool, vault);
    const plain = new MessageRepository(pool, new PassThroughVault());
    await sendPath(encrypted, tenantId); // warm-up: keys loaded, JIT, caches
    await sendPath(plain, tenantId);

    const withVault: number[] = [];
    const without: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      withVault.push(await sendPath(encrypted, tenantId));
      without.push(await sendPath(plain, tenantId));
    }
    const cpu = await cpuOnly(vault, tenantId);
    const w = median(withVault);
    const wo = median(without);
    console.log(
      `\nVault cost on the send path (${ROUNDS} alternating rounds of ${BATCHES} × ${BATCH} messages, medians)\n`,
    );
    console.log('| measure | value |');
    console.log('| --- | ---: |');
    console.log(
      `| seal + open of to, from, body (CPU only, one core) | ${Math.round(cpu).toLocaleString('en')} messages/s |`,
    );
    console.log(`| CPU per message for the three fields, both ways | ${(1e6 / cpu).toFixed(1)} µs |`);
    console.log(`| insert + load, **with** encryption | ${Math.round(w).toLocaleString('en')} messages/s |`);
    console.log(
      `| insert + load, without encryption (pass-through) | ${Math.round(wo).toLocaleString('en')} messages/s |`,
    );
    console.log(`| cost of encryption on this path | ${(((wo - w) / wo) * 100).toFixed(1)} % |`);
    console.log(
      `\nrounds with: ${withVault.map(Math.round).join(', ')}; without: ${without.map(Math.round).join(', ')}`,
    );
    // A database of its own: the rows above are not part of what the rotations move.
    await pool.query('CREATE DATABASE rotation');
    const rotationPool = createPgPool({
      connectionString: postgres.url.replace(/\/[^/]*$/, '/rotation'),
      max: 4,
    });
    const r = await (async () => {
      try {
        await migrate(rotationPool);
        return await rotationUnderLoad(rotationPool, {
          tenants: ROTATION_TENANTS,
          messagesPerTenant: ROTATION_MESSAGES,
          rate: ROTATION_RATE,
        });
      } finally {
        await rotationPool.end();
      }
    })();
    const int = (n: number) => Math.round(n).toLocaleString('en');
    console.log(
      `\nRotations while serving ${int(r.targetRate)} messages/s (${r.tenants} tenants, ${int(r.storedMessages)} stored messages)\n`,
    );
    console.log('| measure | value |');
    console.log('| --- | ---: |');
    console.log(`| rotate-kek: keys re-wrapped | ${r.keysRewrapped} |`);
    console.log(`| rotate-kek: total time (incl. the 200 ms settle pass) | ${int(r.kekRotationMs)} ms |`);
    console.log(`| reencrypt: rows moved to the new data key | ${int(r.rowsReencrypted)} |`);
    console.log(`| reencrypt: rate | ${int(r.rowsReencrypted / (r.reencryptMs / 1000))} rows/s |`);
    console.log(`| send path served meanwhile | ${int(r.servedRate)} messages/s |`);
    console.log(`| send-path failures meanwhile | ${r.failures} |`);
  } finally {
    await pool.end();
    await postgres.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
