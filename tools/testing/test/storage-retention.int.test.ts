import { MessageRepository, RetentionPolicyRepository, RetentionPurger } from '@maskline/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedTenant, testMessage } from '../src/seed.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

describe('retention purge', () => {
  let db: TestDatabase;
  let messages: MessageRepository;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    messages = new MessageRepository(db.pool, db.vault);
  });
  afterAll(async () => {
    await db.drop();
  });

  /** A message of `tenantId`, `ageDays` old, in `status`, with a receipt when final. */
  async function message(
    tenantId: string,
    ageDays: number,
    status: 'delivered' | 'queued',
    sandbox = false,
  ): Promise<string> {
    const m = testMessage(tenantId, { body: `body aged ${ageDays}`, sandbox });
    await messages.insertAccepted(m);
    if (status === 'delivered') {
      await messages.markSubmitted(m.id, `c-${m.id}`, 1, null);
      await messages.applyReceipt('sim', `c-${m.id}`, 'delivered', null);
      await db.pool.query(
        `INSERT INTO receipts (id, carrier_id, carrier_message_id, message_id, outcome, carrier_status)
         VALUES (gen_random_uuid(), 'sim', $1, $2, 'delivered', 'DELIVRD')`,
        [`c-${m.id}`, m.id],
      );
    }
    await db.pool.query(`UPDATE messages SET created_at = now() - make_interval(days => $2) WHERE id = $1`, [
      m.id,
      ageDays,
    ]);
    return m.id;
  }

  it('anonymises old bodies, deletes old metadata with receipts, leaves in-flight and other tenants alone', async () => {
    const { tenantId } = await seedTenant(db.pool, 'with policy');
    const { tenantId: keeper } = await seedTenant(db.pool, 'no policy');
    await new RetentionPolicyRepository(db.pool).set({
      tenantId,
      bodyDays: 30,
      mappingDays: 7,
      metadataDays: 90,
    });
    const fresh = await message(tenantId, 1, 'delivered');
    const oldBody = await message(tenantId, 40, 'delivered');
    const inFlight = await message(tenantId, 40, 'queued');
    const ancient = await message(tenantId, 100, 'delivered');
    const keepers = [await message(keeper, 100, 'delivered'), await message(keeper, 40, 'delivered')];

    const mappingCutoffs: Date[] = [];
    const reports: unknown[] = [];
    const purger = new RetentionPurger(db.pool, {
      batchSize: 1,
      mappingPurges: [
        async (_pool, t, olderThan) => {
          if (t === tenantId) mappingCutoffs.push(olderThan);
          return 2;
        },
      ],
      onPurged: async (report) => {
        reports.push(report);
        await db.vault.record({
          tenantId: report.tenantId,
          action: 'retention.purged',
          subject: null,
          details: { ...report },
        });
      },
    });
    const result = await purger.run();
    expect(result).toEqual([
      {
        tenantId,
        bodiesAnonymised: 1,
        messagesDeleted: 1,
        receiptsDeleted: 1,
        mappingsPurged: 2,
        webhookEventsPurged: 0,
        sandboxMessagesDeleted: 0,
      },
    ]);
    expect(reports).toEqual(result);
    expect(Date.now() - mappingCutoffs[0]!.getTime()).toBeGreaterThanOrEqual(7 * 86_400_000 - 1000);

    const rows = await db.pool.query<{ id: string; body_sealed: Buffer | null; to_sealed: Buffer | null }>(
      'SELECT id, body_sealed, to_sealed FROM messages',
    );
    const byId = new Map(rows.rows.map((r) => [r.id, r]));
    expect(byId.has(ancient)).toBe(false);
    expect(byId.get(oldBody)?.body_sealed).toBeNull();
    expect(byId.get(oldBody)?.to_sealed).not.toBeNull();
    expect(byId.get(inFlight)?.body_sealed).not.toBeNull();
    expect(byId.get(fresh)?.body_sealed).not.toBeNull();
    for (const id of keepers) expect(byId.get(id)?.body_sealed).not.toBeNull();
    const receipts = await db.pool.query('SELECT count(*)::int AS n FROM receipts WHERE message_id = $1', [
      ancient,
    ]);
    expect(receipts.rows[0].n).toBe(0);
    // The view of an anonymised message still works (status, masked numbers).
    expect(await messages.findMaskedNumbers(oldBody)).toEqual({ to: '+4479****3456', from: 'Test' });
    expect((await db.vault.audit.list({ action: 'retention.purged' }))[0]).toMatchObject({
      tenantId,
      details: { bodiesAnonymised: 1, messagesDeleted: 1 },
    });

    // A second run finds nothing more to do.
    expect(await purger.run()).toEqual([
      {
        tenantId,
        bodiesAnonymised: 0,
        messagesDeleted: 0,
        receiptsDeleted: 0,
        mappingsPurged: 2,
        webhookEventsPurged: 0,
        sandboxMessagesDeleted: 0,
      },
    ]);
  });

  it('deletes final sandbox messages (with receipts) after sandboxHours, whatever the tenant policy', async () => {
    const { tenantId } = await seedTenant(db.pool, 'sandbox tenant');
    const oldSandbox = await message(tenantId, 2, 'delivered', true);
    const freshSandbox = await message(tenantId, 0, 'delivered', true);
    const inFlightSandbox = await message(tenantId, 2, 'queued', true);
    const oldLive = await message(tenantId, 2, 'delivered');
    const purger = new RetentionPurger(db.pool, { sandboxHours: 24 });
    const result = await purger.run();
    expect(result).toContainEqual({
      tenantId,
      bodiesAnonymised: 0,
      messagesDeleted: 0,
      receiptsDeleted: 1,
      mappingsPurged: 0,
      webhookEventsPurged: 0,
      sandboxMessagesDeleted: 1,
    });
    const left = await db.pool.query<{ id: string }>('SELECT id FROM messages WHERE tenant_id = $1', [
      tenantId,
    ]);
    expect(left.rows.map((r) => r.id).sort()).toEqual([freshSandbox, inFlightSandbox, oldLive].sort());
    expect(left.rows.some((r) => r.id === oldSandbox)).toBe(false);
    expect((await purger.run()).find((r) => r.tenantId === tenantId)).toBeUndefined();
  });
});
