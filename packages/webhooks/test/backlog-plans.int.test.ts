import { uuidv7 } from '@maskline/core';
import { createPgPool, MessageRepository, ReceiptRepository, StatusWebhooks } from '@maskline/storage';
import {
  createTestDatabase,
  type PlannedStatement,
  recordPlans,
  seedTenant,
  type TestDatabase,
  testMessage,
} from '@maskline/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeliveryStore } from '../src/store/delivery-store.js';

const HISTORY = 1500;
const BACKLOG = 600;
const BATCH = 50;

/**
 * Indexes a by-id statement must not read: each holds the rows still waiting (or, for
 * messages_key_version, all of a tenant's messages), so a plan that scans one and filters
 * by id costs O(backlog) per statement, and a backlog makes itself worse.
 */
const BACKLOG_INDEXES = [
  'messages_pending',
  'receipts_unprocessed',
  'webhook_deliveries_due',
  'messages_key_version',
];

/**
 * The pipeline's by-id statements keep their plans when a backlog builds (issue 15,
 * docs/performance.md "Plans that survive a backlog"). In steady state almost nothing is
 * pending, so PostgreSQL's statistics say a pending row is rare and a partial "pending"
 * index looks like the cheapest way to find a batch's rows: the bench caught the receipt
 * batch and the webhook delivery load scanning thousands of waiting rows per statement.
 * Here the statistics are taken on a settled history, then a backlog arrives, and every
 * plan of the hot statements is read.
 */
describe('by-id statements under a backlog the statistics do not know (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let planned: PlannedStatement[];
  let tenantId: string;
  const statusWebhooks = new StatusWebhooks();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId } = await seedTenant(db.pool));
    await db.pool.query(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, event_types)
       VALUES ($1, $2, 'https://example.com/hook', '{message.status}')`,
      [uuidv7(), tenantId],
    );
    const messages = new MessageRepository(db.pool, db.vault);
    const receipts = new ReceiptRepository(db.pool);
    // A settled history: every message delivered, every receipt processed, every webhook sent.
    for (let i = 0; i < HISTORY; i += 250) {
      const batch = Array.from({ length: 250 }, () => testMessage(tenantId));
      await messages.insertManyAccepted(batch);
      await new MessageRepository(db.pool, db.vault, statusWebhooks).markManySubmitted(
        batch.map((m, k) => ({ id: m.id, carrierMessageId: `h-${i + k}`, segments: 1, traceContext: null })),
      );
      await receipts.applyBatch(
        await receipts.insertMany(
          'sim',
          batch.map((_, k) => ({
            type: 'receipt' as const,
            carrierMessageId: `h-${i + k}`,
            outcome: 'delivered' as const,
            carrierStatus: 'DELIVRD',
          })),
        ),
      );
    }
    await db.pool.query(`UPDATE webhook_deliveries SET state = 'delivered', finished_at = now()`);
    await db.pool.query(
      'ANALYZE messages; ANALYZE receipts; ANALYZE webhook_deliveries; ANALYZE webhook_events',
    );

    // The backlog: queued messages waiting for the carrier.
    for (let i = 0; i < BACKLOG; i += 300) {
      await messages.insertManyAccepted(Array.from({ length: 300 }, () => testMessage(tenantId)));
    }
    pool = createPgPool({ connectionString: db.url, max: 2 });
    planned = recordPlans(pool, db.pool);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const backlogIndexesOf = (from: number) =>
    planned
      .slice(from)
      .flatMap((p) =>
        p.indexes.filter((i) => BACKLOG_INDEXES.includes(i)).map((i) => `${i}: ${p.text.slice(0, 60)}`),
      );

  it('submits, applies receipts and loads webhook deliveries by primary key', async () => {
    const waiting = await db.pool.query<{ id: string }>(
      `SELECT id FROM messages WHERE status = 'queued' ORDER BY id LIMIT $1`,
      [BATCH],
    );
    const ids = waiting.rows.map((r) => r.id);
    expect(ids).toHaveLength(BATCH);

    const start = planned.length;
    const moved = await new MessageRepository(pool, db.vault, statusWebhooks).markManySubmitted(
      ids.map((id, k) => ({ id, carrierMessageId: `b-${k}`, segments: 1, traceContext: null })),
    );
    expect(moved.every(Boolean)).toBe(true);

    // More receipts waiting than the batch applies, as when the receipt processor is behind.
    const stored = await new ReceiptRepository(db.pool).insertMany(
      'sim',
      Array.from({ length: BACKLOG }, (_, k) => ({
        type: 'receipt' as const,
        carrierMessageId: `b-${k}`,
        outcome: 'delivered' as const,
        carrierStatus: 'DELIVRD',
      })),
    );
    const results = await new ReceiptRepository(pool, statusWebhooks).applyBatch(stored.slice(0, BATCH));
    expect(results.map((r) => r.kind)).toEqual(Array(BATCH).fill('matched'));

    const pending = await db.pool.query<{ id: string }>(
      `SELECT id FROM webhook_deliveries WHERE state = 'pending' ORDER BY id LIMIT $1`,
      [BATCH],
    );
    expect(pending.rows).toHaveLength(BATCH);
    const loaded = await new DeliveryStore(pool).load(pending.rows.map((r) => r.id));
    expect(loaded).toHaveLength(BATCH);

    expect(planned.length - start).toBeGreaterThanOrEqual(3);
    expect(backlogIndexesOf(start)).toEqual([]);
    // Nor does any of them join its CTEs by rescanning one per row (quadratic in the batch).
    expect(
      planned
        .slice(start)
        .filter((p) => p.cteRescans > 0)
        .map((p) => p.text.slice(0, 60)),
    ).toEqual([]);
  });
});
