import { RoutingRepository } from '@maskline/storage';
import { createTestDatabase, seedTenant, type TestDatabase } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runRouteCommand, UsageError } from '../src/routing/cli/route-commands.js';

describe('npm run routes (commands over real PostgreSQL)', () => {
  let db: TestDatabase;
  let tenantId: string;
  let repository: RoutingRepository;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId } = await seedTenant(db.pool));
    repository = new RoutingRepository(db.pool);
  });
  afterAll(async () => {
    await db.drop();
  });

  async function run(command: string, args: string[], options: Record<string, unknown>) {
    const printed: Record<string, unknown>[] = [];
    await runRouteCommand(command, args, options, { repository, audit: db.vault, actor: 'cli:test' }, (r) =>
      printed.push(r as Record<string, unknown>),
    );
    return printed;
  }

  it('adds, lists and removes global and tenant routes', async () => {
    const [global] = await run('add', [], { carrier: 'alpha', prefix: '+44', strategy: 'least_cost' });
    expect(global).toMatchObject({ scope: 'global', prefix: '44', carrier: 'alpha', tenantId: null });
    const [own] = await run('add', [], { carrier: 'beta', tenant: tenantId, country: 'gb', priority: '5' });
    expect(own).toMatchObject({ scope: 'tenant', country: 'GB', priority: 5 });
    expect((await run('list', [], {})).map((r) => r.carrier)).toEqual(['alpha']);
    expect((await run('list', [], { tenant: tenantId })).map((r) => r.carrier)).toEqual(['beta', 'alpha']);
    // A tenant route is removed only with its tenant named.
    await expect(run('remove', [], { route: own!.id })).rejects.toMatchObject({ code: 'route_not_found' });
    await run('remove', [], { route: own!.id, tenant: tenantId });
    await run('remove', [], { route: global!.id });
    expect(await run('list', [], { tenant: tenantId })).toEqual([]);
  });

  it('sets, lists and removes prices', async () => {
    await run('prices', ['set'], {
      carrier: 'alpha',
      prefix: '44',
      'price-micros': '12000',
      currency: 'EUR',
    });
    await run('prices', ['set'], {
      carrier: 'alpha',
      prefix: '44',
      'price-micros': '11000',
      currency: 'EUR',
    });
    expect(await run('prices', [], {})).toEqual([
      { carrier: 'alpha', prefix: '44', priceMicros: 11000, currency: 'EUR' },
    ]);
    await run('prices', ['remove'], { carrier: 'alpha', prefix: '44' });
    expect(await run('prices', [], {})).toEqual([]);
  });

  it('sets and clears a residency policy, audited', async () => {
    await run('residency', [], { tenant: tenantId, regions: 'eu, uk' });
    expect(await run('residency', [], { tenant: tenantId })).toEqual([
      { tenantId, allowedRegions: ['eu', 'uk'] },
    ]);
    await run('residency', [], { tenant: tenantId, clear: true });
    expect(await run('residency', [], { tenant: tenantId })).toEqual([{ tenantId, allowedRegions: null }]);
    expect(await db.vault.audit.list({ action: 'routing.residency_set' })).toHaveLength(1);
    expect(await db.vault.audit.list({ action: 'routing.residency_removed' })).toHaveLength(1);
  });

  it('says what is missing or wrong', async () => {
    await expect(run('add', [], {})).rejects.toBeInstanceOf(UsageError);
    await expect(run('add', [], { carrier: 'alpha', priority: 'high' })).rejects.toBeInstanceOf(UsageError);
    await expect(run('add', [], { carrier: 'alpha', kind: 'spam' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(run('nope', [], {})).rejects.toBeInstanceOf(UsageError);
  });
});
