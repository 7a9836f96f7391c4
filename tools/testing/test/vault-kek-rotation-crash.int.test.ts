import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@maskline/local-infra';
import { LocalKeyring, PgVault } from '@maskline/vault';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

const CLI = join(REPO_ROOT, 'packages/vault/dist/cli/vault-cli.js');

/** Every step of rotate-kek's write sequence, in order (packages/vault/src/durability/failpoint.ts). */
const STEPS = [
  'kek-added:temp-synced',
  'kek-added:renamed',
  'kek-added:dir-synced',
  'kek-activated:temp-synced',
  'kek-activated:renamed',
  'kek-activated:dir-synced',
  'rewrap:first-key',
  'rewrap:done',
  'rotation-done:temp-synced',
  'rotation-done:renamed',
  'rotation-done:dir-synced',
];

interface Run {
  code: number | null;
  signal: string | null;
  lines: Record<string, unknown>[];
}

/**
 * Power loss during a KEK rotation: the CLI runs rotate-kek in a child process that is
 * killed (SIGKILL) at each step of its write sequence in turn. After each kill, every
 * committed tenant key must unwrap with the keyring as it is on disk, and a rerun must
 * finish the interrupted rotation (not start another; killed after it was recorded as
 * finished, there is nothing to finish), after which the old KEK is unused
 * and destroy-kek can remove it (itself killed at one of its write steps first).
 */
describe('rotate-kek killed at every step of its write sequence', () => {
  let db: TestDatabase;
  let keyringPath: string;

  function cli(args: string[], failpoint?: string): Promise<Run> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      DATABASE_URL: db.url,
      VAULT_KEYRING_PATH: keyringPath,
      ...(failpoint ? { MASKLINE_VAULT_FAILPOINT: failpoint } : {}),
    };
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], { env }, (error, stdout) => {
        const failed = error as (Error & { code?: number; signal?: string }) | null;
        resolve({
          code: failed ? (failed.code ?? null) : 0,
          signal: failed?.signal ?? null,
          lines: stdout
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Record<string, unknown>),
        });
      });
    });
  }

  /** Unwrap every live key in tenant_keys with a keyring read from disk now. */
  async function unwrapAll(): Promise<number> {
    const keyring = LocalKeyring.openOrCreate(keyringPath);
    const rows = await db.pool.query<{ kek_id: string; wrapped_key: Buffer }>(
      'SELECT kek_id, wrapped_key FROM tenant_keys WHERE wrapped_key IS NOT NULL',
    );
    for (const row of rows.rows) await keyring.unwrap({ kekId: row.kek_id, wrapped: row.wrapped_key });
    return rows.rows.length;
  }

  /** What a running app does meanwhile: a new tenant's keys, wrapped under the keyring on disk. */
  async function createTenantKeys(): Promise<void> {
    const app = new PgVault({
      pool: db.pool,
      keyProvider: LocalKeyring.openOrCreate(keyringPath),
      actor: 'app',
    });
    await app.forTenant(randomUUID());
  }

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    const dir = join(mkdtempSync(join(tmpdir(), 'kek-crash-')), 'secrets');
    mkdirSync(dir, { mode: 0o700 });
    keyringPath = join(dir, 'keyring.json');
    writeFileSync(keyringPath, db.keyring.toJson(), { mode: 0o600 });
    for (let i = 0; i < 3; i++) await createTenantKeys();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each(STEPS.map((step, i) => [step, i + 2]))('killed at %s, then rerun', async (step, next) => {
    const before = await unwrapAll();
    const killed = await cli(['rotate-kek', '--batch', '2'], step);
    expect(killed.signal).toBe('SIGKILL');
    expect(await unwrapAll()).toBe(before);

    await createTenantKeys();
    expect(await unwrapAll()).toBe(before + 2);

    const newKek = `local:kek-${next}`;
    // Killed after the keyring recorded the rotation as finished: nothing is left to resume.
    const finished = step === 'rotation-done:renamed' || step === 'rotation-done:dir-synced';
    if (!finished) {
      const rerun = await cli(['rotate-kek', '--batch', '2']);
      expect(rerun.code).toBe(0);
      expect(rerun.lines.at(-1)).toMatchObject({
        msg: 'key-encryption key rotated',
        kekId: newKek,
        resumed: step !== 'kek-added:temp-synced',
      });
    }
    expect(await unwrapAll()).toBe(before + 2);
    const listed = (await cli(['list-keks'])).lines;
    expect(listed).toEqual([
      expect.objectContaining({ kekId: `local:kek-${next - 1}`, current: false, keys: 0, held: true }),
      expect.objectContaining({ kekId: newKek, current: true, rotationPending: false, keys: before + 2 }),
    ]);
    // destroy-kek killed at one of its own write steps: nothing committed needs the old KEK,
    // and a rerun removes it (or finds it gone).
    const removal = ['kek-removed:temp-synced', 'kek-removed:renamed', 'kek-removed:dir-synced'][next % 3]!;
    const oldKek = `local:kek-${next - 1}`;
    expect((await cli(['destroy-kek', '--kek', oldKek, '--yes'], removal)).signal).toBe('SIGKILL');
    expect(await unwrapAll()).toBe(before + 2);
    const destroyed = await cli(['destroy-kek', '--kek', oldKek, '--yes']);
    expect(destroyed.lines[0]).toMatchObject(
      removal === 'kek-removed:temp-synced' ? { destroyed: true } : { reason: 'kek_unknown' },
    );
    expect(LocalKeyring.openOrCreate(keyringPath).kekIds()).toEqual([newKek]);
    expect(readdirSync(join(keyringPath, '..'))).toEqual(['keyring.json']);
  });
});
