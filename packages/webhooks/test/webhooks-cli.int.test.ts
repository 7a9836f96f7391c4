import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, seedTenant, type TestDatabase } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runWebhookCommand, UsageError } from '../src/cli/webhook-commands.js';
import { EndpointService } from '../src/endpoints/endpoint-service.js';
import { DeliveryStore } from '../src/store/delivery-store.js';
import { EndpointStore } from '../src/store/endpoint-store.js';
import { targetPolicy } from '../src/target-guard.js';

const cli = fileURLToPath(new URL('../dist/cli/webhooks-cli.js', import.meta.url));

describe('npm run webhooks', () => {
  let db: TestDatabase;
  let tenantId: string;
  let deps: { endpoints: EndpointService; deliveries: DeliveryStore };

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId } = await seedTenant(db.pool));
    deps = {
      endpoints: new EndpointService(new EndpointStore(db.pool), db.vault, targetPolicy()),
      deliveries: new DeliveryStore(db.pool),
    };
  });
  afterAll(async () => {
    await db.drop();
  });

  const run = async (command: string, options: Record<string, string | boolean>) => {
    const out: Record<string, unknown>[] = [];
    await runWebhookCommand(command, { tenant: tenantId, ...options }, deps, (r) => out.push(r as never));
    return out;
  };

  it('creates (secret printed once), lists, disables, enables, rotates and reads attempts', async () => {
    const [created] = await run('create', {
      url: 'https://hooks.example.com/m',
      types: 'session.*,pool.low_watermark',
    });
    expect(created).toMatchObject({
      url: 'https://hooks.example.com/m',
      eventTypes: ['session.*', 'pool.low_watermark'],
    });
    expect(String(created?.secret)).toMatch(/^whsec_/);
    const listed = await run('list', {});
    expect(listed.map((e) => e.id)).toEqual([created?.id]);
    expect(JSON.stringify(listed)).not.toContain(String(created?.secret));
    expect((await run('disable', { endpoint: String(created?.id) }))[0]).toMatchObject({ state: 'disabled' });
    expect((await run('enable', { endpoint: String(created?.id) }))[0]).toMatchObject({ state: 'enabled' });
    const [rotated] = await run('rotate-secret', {
      endpoint: String(created?.id),
      'previous-valid-seconds': '0',
    });
    expect(String(rotated?.secret)).toMatch(/^whsec_/);
    expect(await run('attempts', { endpoint: String(created?.id) })).toEqual([]);
    await expect(
      run('redeliver', { endpoint: String(created?.id), event: created?.id as string }),
    ).rejects.toThrow(UsageError);
    await expect(run('create', { url: 'https://hooks.example.com/m' })).rejects.toThrow(
      '--types is required',
    );
    await expect(run('nope', {})).rejects.toThrow(UsageError);
  });

  it('runs as a process from its build', () => {
    const env = { ...process.env, DATABASE_URL: db.url, ...db.vaultEnv };
    const created = spawnSync(
      process.execPath,
      [cli, 'create', '--tenant', tenantId, '--url', 'https://cli.example.com/', '--types', '*'],
      { env, encoding: 'utf8' },
    );
    expect(created.status, created.stderr).toBe(0);
    const endpoint = JSON.parse(created.stdout);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const bad = spawnSync(
      process.execPath,
      [cli, 'create', '--tenant', tenantId, '--url', 'ftp://x', '--types', '*'],
      {
        env,
        encoding: 'utf8',
      },
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('invalid_webhook_url');
    expect(bad.stderr).not.toContain('    at ');
  });
});
