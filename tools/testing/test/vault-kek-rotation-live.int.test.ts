import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AppName, REPO_ROOT } from '@maskline/local-infra';
import { MessageRepository } from '@maskline/storage';
import { LocalKeyring, PgVault } from '@maskline/vault';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedTenant } from '../src/seed.js';
import { StackFixture } from '../src/stack-fixture.js';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'packages/vault/dist/cli/vault-cli.js');
const CACHE_TTL_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Vault operations under live traffic, through the real processes: while messages flow
 * through the running ingest, delivery worker and receipt processor, the operator rotates
 * the KEK, rotates and re-encrypts a tenant's data key, and destroys the old KEK. The apps
 * (short key cache, so they re-load keys several times meanwhile) are never restarted and
 * no request fails; a tenant whose keys are created during the rotation included.
 */
describe('KEK rotation and re-encryption under live traffic', () => {
  const stack = new StackFixture({
    redisUrl: inject('redisUrl'),
    postgresUrl: inject('postgresUrl'),
    keyringFile: true,
    appEnv: { VAULT_CACHE_TTL_MS: String(CACHE_TTL_MS) },
    logLevel: 'info',
    tracing: false,
  });

  beforeAll(async () => {
    await stack.start();
  }, 120_000);
  afterAll(async () => {
    await stack.stop();
  });

  async function cli(...args: string[]): Promise<Record<string, unknown>[]> {
    const env = { PATH: process.env.PATH, DATABASE_URL: stack.db.url, VAULT_KEYRING_PATH: stack.keyringPath };
    const { stdout } = await run(process.execPath, [CLI, ...args], { env });
    return stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  it('answers every request, delivers every message, and no app restarts', async () => {
    const statuses: number[] = [];
    const ids: string[] = [];
    let sending = true;
    const sender = async (apiKey: string, lane: number) => {
      for (let i = 0; sending; i++) {
        const response = await fetch(`${stack.ingestUrl}/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            to: `+4479112${String(lane * 10_000 + (i % 10_000)).padStart(5, '0')}`,
            from: 'Maskline',
            body: `rotation traffic ${lane}/${i}`,
          }),
        });
        statuses.push(response.status);
        const body = (await response.json()) as { id?: string };
        if (body.id) ids.push(body.id);
        await sleep(10);
      }
    };
    const senders = [0, 1, 2].map((lane) => sender(stack.apiKey, lane));
    await sleep(1000);

    const rotating = cli('rotate-kek', '--batch', '1');
    // A tenant whose first message arrives during the rotation: the ingest creates its keys.
    const late = await seedTenant(stack.db.pool, 'late tenant');
    senders.push(sender(late.apiKey, 3));
    expect((await rotating).at(-1)).toMatchObject({
      msg: 'key-encryption key rotated',
      kekId: 'local:kek-2',
    });
    await sleep(3 * CACHE_TTL_MS);

    await cli('rotate', '--tenant', stack.tenantId, '--activate-after-ms', String(2 * CACHE_TTL_MS));
    await sleep(3 * CACHE_TTL_MS);
    expect((await cli('reencrypt')).at(-1)).toMatchObject({ msg: 're-encryption done' });
    await sleep(1000);
    // Nothing is wrapped under kek-1 any more (keys created meanwhile included): it can go.
    const destroyed = await cli('destroy-kek', '--kek', 'local:kek-1', '--yes');
    expect(destroyed[0]).toMatchObject({ msg: 'key-encryption key destroyed' });
    await sleep(3 * CACHE_TTL_MS);
    sending = false;
    await Promise.all(senders);

    expect(statuses.length).toBeGreaterThan(100);
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    const final = await stack.waitForStatus(ids, ['delivered'], 120_000);
    expect([...final.values()].filter((s) => s === 'delivered')).toHaveLength(ids.length);

    for (const app of ['ingest', 'delivery-worker', 'receipt-processor'] as AppName[]) {
      expect(stack.apps.get(app)?.usage(), `${app} still running`).not.toBeNull();
    }
    expect(stack.logLines().filter((l) => /vault_unavailable|vault_integrity/.test(l))).toEqual([]);
    const keks = await stack.db.pool.query(
      'SELECT DISTINCT kek_id FROM tenant_keys WHERE wrapped_key IS NOT NULL',
    );
    expect(keks.rows.map((r) => r.kek_id)).toEqual(['local:kek-2']);

    // Every stored message opens with the keyring as it is now, on the tenant's new data key.
    const vault = new PgVault({
      pool: stack.db.pool,
      keyProvider: LocalKeyring.openOrCreate(stack.keyringPath),
      actor: 'test',
    });
    const loaded = await new MessageRepository(stack.db.pool, vault).loadManyForDelivery(ids.slice(0, 200));
    expect(loaded.filter((r) => r?.content?.body.startsWith('rotation traffic'))).toHaveLength(
      Math.min(200, ids.length),
    );
    const versions = await stack.db.pool.query(
      'SELECT DISTINCT key_version FROM messages WHERE tenant_id = $1',
      [stack.tenantId],
    );
    expect(versions.rows.map((r) => r.key_version)).toEqual([2]);
  }, 240_000);
});
