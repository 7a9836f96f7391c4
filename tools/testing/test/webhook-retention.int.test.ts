import { type PurgeReport, RetentionPolicyRepository, RetentionPurger } from '@maskline/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedTenant } from '../src/seed.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

describe('webhook retention purge', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
  });
  afterAll(async () => {
    await db.drop();
  });

  async function endpoint(tenantId: string): Promise<string> {
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, event_types)
       VALUES (gen_random_uuid(), $1, 'https://hooks.example.com/', '{*}') RETURNING id`,
      [tenantId],
    );
    return rows[0]!.id;
  }

  /** An event `ageDays` old with one delivery in `state` to `endpointId` and one attempt. */
  async function event(
    tenantId: string,
    endpointId: string,
    ageDays: number,
    state: 'pending' | 'delivered' | 'dead',
  ): Promise<string> {
    const { rows } = await db.pool.query<{ id: string }>(
      `WITH v AS (
         INSERT INTO webhook_events (tenant_id, type, data, created_at)
         VALUES ($1, 'session.rotated', '{}', now() - make_interval(days => $3)) RETURNING id, created_at
       ), d AS (
         INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id, state, attempts, created_at)
         SELECT v.id, $2, $1, $4, 1, v.created_at FROM v RETURNING id, event_id
       ), a AS (
         INSERT INTO webhook_attempts (delivery_id, endpoint_id, event_id, tenant_id, attempt, status_code, latency_ms)
         SELECT d.id, $2, d.event_id, $1, 1, 500, 12 FROM d
       )
       SELECT id FROM v`,
      [tenantId, endpointId, ageDays, state],
    );
    return rows[0]!.id;
  }

  const count = async (table: string, eventIds: string[]) =>
    (
      await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE event_id = ANY($1)`, [
        eventIds,
      ])
    ).rows[0]!.n;

  it('deletes old finished events with their deliveries and attempts, in batches; keeps young and pending ones', async () => {
    const { tenantId: a } = await seedTenant(db.pool, 'A');
    const { tenantId: b } = await seedTenant(db.pool, 'B');
    // A has a retention policy (nothing of its own to purge): the counts join its report.
    await new RetentionPolicyRepository(db.pool).set({
      tenantId: a,
      bodyDays: null,
      mappingDays: null,
      metadataDays: null,
    });
    const [endpointA, endpointB] = [await endpoint(a), await endpoint(b)];
    const oldDelivered = await event(a, endpointA, 40, 'delivered');
    const oldDead = await event(a, endpointA, 31, 'dead');
    const oldOfB = await event(b, endpointB, 90, 'dead');
    const oldPending = await event(a, endpointA, 40, 'pending');
    const young = await event(a, endpointA, 29, 'dead');
    const youngOfB = await event(b, endpointB, 1, 'delivered');
    const purged = [oldDelivered, oldDead, oldOfB];
    const kept = [oldPending, young, youngOfB];

    // Without webhookDays the purge leaves webhook data alone.
    expect(await new RetentionPurger(db.pool).run()).toEqual([]);
    expect(await count('webhook_deliveries', purged)).toBe(3);

    const reports: PurgeReport[] = [];
    const purger = new RetentionPurger(db.pool, {
      batchSize: 1,
      webhookDays: 30,
      onPurged: async (report) => void reports.push(report),
    });
    const result = await purger.run();
    const none = {
      bodiesAnonymised: 0,
      messagesDeleted: 0,
      receiptsDeleted: 0,
      mappingsPurged: 0,
      sandboxMessagesDeleted: 0,
    };
    expect(result.sort((x, y) => (x.tenantId === a ? -1 : y.tenantId === a ? 1 : 0))).toEqual([
      { tenantId: a, ...none, webhookEventsPurged: 2 },
      { tenantId: b, ...none, webhookEventsPurged: 1 },
    ]);
    expect(reports).toHaveLength(2);

    const events = await db.pool.query<{ id: string }>('SELECT id FROM webhook_events');
    expect(events.rows.map((r) => r.id).sort()).toEqual([...kept].sort());
    expect(await count('webhook_deliveries', purged)).toBe(0);
    expect(await count('webhook_attempts', purged)).toBe(0);
    expect(await count('webhook_deliveries', kept)).toBe(3);
    expect(await count('webhook_attempts', kept)).toBe(3);

    // The pending one goes once it is finished; a second run has nothing else to do.
    await db.pool.query(`UPDATE webhook_deliveries SET state = 'delivered' WHERE event_id = $1`, [
      oldPending,
    ]);
    expect(await purger.run()).toEqual([{ tenantId: a, ...none, webhookEventsPurged: 1 }]);
    expect(await purger.run()).toEqual([]);
  });
});
