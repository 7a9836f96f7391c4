/**
 * The operator's rotations while the send path is busy (part of `npm run bench:vault`):
 * one "app" vault serves a paced load of N messages/s (the ingest's insert + the worker's
 * load, in batches every 100 ms) while the CLI's code rotates the KEK (rotate-kek, with a
 * file keyring both read) and then every tenant's data key followed by `reencrypt`.
 * Measures how long each takes, the re-encrypted rows/s, the load it actually served and
 * how many send-path calls failed (must be 0).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MessageRepository, type NewMessage, SEALED_TABLES, TenantRepository } from '@maskline/storage';
import { LocalKeyring, PgVault, reencrypt, rotateKek } from '@maskline/vault';
import type pg from 'pg';

export interface RotationFigures {
  tenants: number;
  storedMessages: number;
  targetRate: number;
  servedRate: number;
  failures: number;
  kekRotationMs: number;
  keysRewrapped: number;
  reencryptMs: number;
  rowsReencrypted: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function messages(tenantId: string, n: number): NewMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    tenantId,
    carrierId: 'sim',
    to: `+4479${String(12_000_000 + i).padStart(8, '0')}`,
    from: 'Maskline',
    body: `Your verification code is ${String(200000 + i)}. It expires in 5 minutes.`,
    segments: 1,
    idempotencyKey: null,
    requestDigest: null,
    traceContext: null,
  }));
}

export async function rotationUnderLoad(
  pool: pg.Pool,
  options: { tenants: number; messagesPerTenant: number; rate: number },
): Promise<RotationFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'vault-bench-keyring-'));
  mkdirSync(join(dir, 'secrets'), { mode: 0o700 });
  const keyringPath = join(dir, 'secrets', 'keyring.json');
  try {
    // The app: its own keyring handle on the file and a short key cache, so it re-loads keys
    // (and meets the new KEK) during the run, as the real apps do.
    const app = new PgVault({
      pool,
      keyProvider: LocalKeyring.openOrCreate(keyringPath),
      actor: 'bench-app',
      cacheTtlMs: 1000,
    });
    const operatorKeyring = LocalKeyring.openOrCreate(keyringPath);
    const operator = new PgVault({ pool, keyProvider: operatorKeyring, actor: 'bench-cli' });
    const repo = new MessageRepository(pool, app);
    const tenants: string[] = [];
    for (let t = 0; t < options.tenants; t++) {
      const tenantId = await new TenantRepository(pool).create(`rotation ${t}`);
      tenants.push(tenantId);
      for (let done = 0; done < options.messagesPerTenant; done += 500) {
        await repo.insertManyAccepted(messages(tenantId, Math.min(500, options.messagesPerTenant - done)));
      }
    }

    let serving = true;
    let served = 0;
    let failures = 0;
    const perTick = Math.max(1, Math.round(options.rate / 10));
    const load = (async () => {
      const start = performance.now();
      for (let tick = 0; serving; tick++) {
        const batch = messages(tenants[tick % tenants.length]!, perTick);
        try {
          await repo.insertManyAccepted(batch);
          const loaded = await repo.loadManyForDelivery(batch.map((m) => m.id));
          failures += loaded.filter((r) => !r?.content).length;
          served += batch.length;
        } catch {
          failures += batch.length;
        }
        const due = start + (tick + 1) * 100 - performance.now();
        if (due > 0) await sleep(due);
      }
      return performance.now() - start;
    })();

    await sleep(1000);
    let start = performance.now();
    const kek = await rotateKek(operator, operatorKeyring, { settleMs: 200 });
    const kekRotationMs = performance.now() - start;
    for (const tenantId of tenants) await operator.rotateDataKey(tenantId, 0);
    await sleep(1500); // the app's cache (1 s) has loaded the new versions
    start = performance.now();
    const { rows } = await reencrypt(pool, operator, SEALED_TABLES, { batchSize: 500 });
    const reencryptMs = performance.now() - start;
    await sleep(1000);
    serving = false;
    const loadMs = await load;
    return {
      tenants: options.tenants,
      storedMessages: options.tenants * options.messagesPerTenant,
      targetRate: options.rate,
      servedRate: served / (loadMs / 1000),
      failures,
      kekRotationMs,
      keysRewrapped: kek.rewrapped,
      reencryptMs,
      rowsReencrypted: rows,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
