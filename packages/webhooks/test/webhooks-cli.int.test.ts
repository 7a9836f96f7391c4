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

  /** A finished delivery of an event recorded `hoursAgo` to `endpointId`; returns the event id. */
  async function finished(endpointId: string, hoursAgo: number, state: 'delivered' | 'dead') {
    const { rows } = await db.pool.query<{ id: string }>(
      `WITH v AS (
         INSERT INTO webhook_events (tenant_id, type, data, created_at)
         VALUES ($1, 'session.rotated', '{}', now() - make_interval(hours => $3)) RETURNING id, created_at
       )
       INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id, state, created_at, finished_at, retry_from)
       SELECT v.id, $2, $1, $4, v.created_at, v.created_at, v.created_at FROM v RETURNING event_id AS id`,
      [tenantId, endpointId, hoursAgo, state],
    );
    return rows[0]!.id;
  }

  const stateOf = async (eventId: string) =>
    (
      await db.pool.query<{ state: string }>('SELECT state FROM webhook_deliveries WHERE event_id = $1', [
        eventId,
      ])
    ).rows[0]?.state;

  it('redelivers a time range, one line per bounded statement, dead ones unless --include-delivered', async () => {
    const [created] = await run('create', { url: 'https://hooks.example.com/r', types: '*' });
    const endpoint = String(created?.id);
    const dead = [await finished(endpoint, 5, 'dead'), await finished(endpoint, 4, 'dead')];
    const delivered = await finished(endpoint, 3, 'delivered');
    const range = {
      endpoint,
      from: new Date(Date.now() - 6 * 3_600_000).toISOString(),
      to: new Date().toISOString(),
    };
    const lines = await run('redeliver', { ...range, limit: '1' });
    expect(lines.map((l) => [l.scheduled, l.truncated])).toEqual([
      [1, true],
      [1, false],
    ]);
    for (const id of dead) expect(await stateOf(id)).toBe('pending');
    expect(await stateOf(delivered)).toBe('delivered');
    expect(await run('redeliver', { ...range, 'include-delivered': true })).toEqual([
      { scheduled: 1, truncated: false, nextCursor: null, states: ['dead', 'delivered'] },
    ]);
    expect(await stateOf(delivered)).toBe('pending');

    await expect(run('redeliver', { ...range, event: dead[0]! })).rejects.toThrow(UsageError);
    await expect(run('redeliver', { ...range, limit: '0' })).rejects.toThrow('--limit must be >= 1');
    await expect(run('redeliver', { endpoint, from: range.to, to: range.from })).rejects.toMatchObject({
      code: 'invalid_time_range',
    });
    await expect(run('redeliver', { endpoint, from: range.from })).rejects.toThrow('--to is required');
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
    const range = spawnSync(
      process.execPath,
      [
        cli,
        'redeliver',
        '--tenant',
        tenantId,
        '--endpoint',
        endpoint.id,
        '--from',
        new Date(Date.now() - 3_600_000).toISOString(),
        '--to',
        new Date().toISOString(),
        '--include-delivered',
      ],
      { env, encoding: 'utf8' },
    );
    expect(range.status, range.stderr).toBe(0);
    expect(JSON.parse(range.stdout)).toEqual({
      scheduled: 0,
      truncated: false,
      nextCursor: null,
      states: ['dead', 'delivered'],
    });
  });
});
