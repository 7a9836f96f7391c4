import { uuidv7 } from '@maskline/core';
import { createPgPool, MessageRepository, ReceiptRepository, StatusWebhooks } from '@maskline/storage';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { countStatements } from '../src/polling.js';
import { seedTenant, testMessage } from '../src/seed.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

const MESSAGES = 500;
const BATCH = 100;

/**
 * What message.status costs the batched status statements (issue 15): the statements and
 * rows per message of the submitted batch and the receipt batch, for a tenant without an
 * endpoint and one with an endpoint subscribed to message.status. The numbers are printed
 * for docs/performance.md.
 */
describe('message.status cost per message (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let statements: () => number;
  const handedOff: string[][] = [];
  const statusWebhooks = new StatusWebhooks();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    pool = createPgPool({ connectionString: db.url, max: 4 });
    statements = countStatements(pool);
    statusWebhooks.handOffTo({ leaseMs: 60_000, enqueue: (ids) => handedOff.push(ids) });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  /** Submits and delivers MESSAGES messages of a tenant in batches; returns what it cost. */
  async function statusesOf(tenantId: string, label: string) {
    const messages = new MessageRepository(db.pool, db.vault);
    const ids: string[] = [];
    for (let i = 0; i < MESSAGES; i++)
      ids.push((await messages.insertAccepted(testMessage(tenantId))).message.id);
    const counted = new MessageRepository(pool, db.vault, statusWebhooks);
    const receipts = new ReceiptRepository(pool, statusWebhooks);
    const stored = new ReceiptRepository(db.pool);
    const receiptIds: string[] = [];
    for (let i = 0; i < MESSAGES; i += BATCH) {
      receiptIds.push(
        ...(await stored.insertMany(
          'sim',
          ids.slice(i, i + BATCH).map((_, k) => ({
            type: 'receipt' as const,
            carrierMessageId: `${label}-${i + k}`,
            outcome: 'delivered' as const,
            carrierStatus: 'DELIVRD',
          })),
        )),
      );
    }
    handedOff.length = 0;
    const before = statements();
    const started = performance.now();
    for (let i = 0; i < MESSAGES; i += BATCH) {
      const moved = await counted.markManySubmitted(
        ids.slice(i, i + BATCH).map((id, k) => ({
          id,
          carrierMessageId: `${label}-${i + k}`,
          segments: 1,
          traceContext: null,
        })),
      );
      expect(moved.every(Boolean)).toBe(true);
    }
    for (let i = 0; i < MESSAGES; i += BATCH) await receipts.applyBatch(receiptIds.slice(i, i + BATCH));
    const ms = performance.now() - started;
    const rows = await db.pool.query<{ events: number; deliveries: number }>(
      `SELECT (SELECT count(*) FROM webhook_events WHERE tenant_id = $1)::int AS events,
              (SELECT count(*) FROM webhook_deliveries WHERE tenant_id = $1)::int AS deliveries`,
      [tenantId],
    );
    const delivered = await db.pool.query(
      `SELECT count(*)::int AS n FROM messages WHERE tenant_id = $1 AND status = 'delivered'`,
      [tenantId],
    );
    expect(delivered.rows[0].n).toBe(MESSAGES);
    const cost = {
      statementsPerMessage: (statements() - before) / MESSAGES,
      webhookRowsPerMessage: (rows.rows[0]!.events + rows.rows[0]!.deliveries) / MESSAGES,
      handoffsPerMessage: handedOff.length / MESSAGES,
      msPerMessage: ms / MESSAGES,
    };
    console.log(`message.status cost, ${label}: ${JSON.stringify(cost)}`);
    return { cost, events: rows.rows[0]!.events, deliveries: handedOff.flat() };
  }

  it('costs no statement and no row without an endpoint, and no statement with one', async () => {
    const { tenantId: silent } = await seedTenant(db.pool, 'no endpoint');
    const without = await statusesOf(silent, 'without');
    // Two status statements per batch of 100 (submitted, receipts): nothing added.
    expect(without.cost.statementsPerMessage).toBe(2 / BATCH);
    expect(without.cost.webhookRowsPerMessage).toBe(0);
    expect(without.cost.handoffsPerMessage).toBe(0);

    const { tenantId: subscribed } = await seedTenant(db.pool, 'with endpoint');
    await db.pool.query(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, event_types)
       VALUES ($1, $2, 'https://example.com/hooks', '{message.status}')`,
      [uuidv7(), subscribed],
    );
    const withEndpoint = await statusesOf(subscribed, 'with');
    expect(withEndpoint.cost.statementsPerMessage).toBe(2 / BATCH);
    // Per message: two events (submitted, delivered) and one delivery each.
    expect(withEndpoint.events).toBe(2 * MESSAGES);
    expect(withEndpoint.cost.webhookRowsPerMessage).toBe(4);
    // One handoff (one webhooks job add) per statement, holding every delivery it made.
    expect(withEndpoint.cost.handoffsPerMessage).toBe(2 / BATCH);
    expect(new Set(withEndpoint.deliveries).size).toBe(2 * MESSAGES);
  });
});
