import { type ReceiptEvent, uuidv7 } from '@maskline/core';
import { createPgPool, MessageRepository, ReceiptRepository } from '@maskline/storage';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { countStatements } from '../src/polling.js';
import { seedTenant, testMessage } from '../src/seed.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

/** ReceiptRepository.applyBatch: a batch of receipts loaded, applied and marked in one statement. */
describe('applying a batch of receipts', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let statements: () => number;
  let messages: MessageRepository;
  let receipts: ReceiptRepository;
  let tenantId: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    pool = createPgPool({ connectionString: db.url, max: 2 });
    statements = countStatements(pool);
    messages = new MessageRepository(db.pool, db.vault);
    receipts = new ReceiptRepository(pool);
    ({ tenantId } = await seedTenant(db.pool));
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  async function submitted(carrierMessageId: string): Promise<string> {
    const { id } = (await messages.insertAccepted(testMessage(tenantId))).message;
    await messages.markSubmitted(id, carrierMessageId, 1, null);
    return id;
  }

  const receipt = (carrierMessageId: string, outcome: ReceiptEvent['outcome'], carrierStatus: string) => ({
    type: 'receipt' as const,
    carrierMessageId,
    outcome,
    carrierStatus,
  });

  const rowOf = async (id: string) =>
    (
      await db.pool.query<{ processed: boolean; message_id: string | null; job_id: string | null }>(
        'SELECT processed_at IS NOT NULL AS processed, message_id, job_id FROM receipts WHERE id = $1',
        [id],
      )
    ).rows[0];

  it('applies in one statement, with the semantics of one by one', async () => {
    const m1 = await submitted('batch-1');
    const m2 = await submitted('batch-2');
    const jobId = uuidv7();
    const [first, second, enroute, final, lateMatch, done] = (await receipts.insertEach(
      'sim',
      [
        receipt('batch-1', 'delivered', 'DELIVRD'),
        receipt('batch-1', 'undeliverable', 'UNDELIV'),
        receipt('batch-2', 'enroute', 'ENROUTE'),
        receipt('batch-2', 'expired', 'EXPIRED'),
        receipt('batch-none', 'delivered', 'DELIVRD'),
        receipt('batch-1', 'rejected', 'REJECTD'),
      ],
      jobId,
    )) as string[];
    await receipts.markProcessed(done!, null);
    const unknown = uuidv7();
    const before = statements();
    const results = await receipts.applyBatch([
      first!,
      second!,
      enroute!,
      final!,
      lateMatch!,
      done!,
      unknown,
      first!,
    ]);
    expect(statements() - before).toBe(1);
    expect(results.map((r) => r.kind)).toEqual([
      'matched',
      'matched',
      'intermediate',
      'matched',
      'unmatched',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    // The first of two receipts for one message wins; the second matches but moves nothing.
    expect(results[0]).toMatchObject({ match: { messageId: m1, applied: true, status: 'delivered' } });
    expect(results[1]).toMatchObject({ match: { messageId: m1, applied: false, status: 'delivered' } });
    expect(results[3]).toMatchObject({ match: { messageId: m2, applied: true, status: 'expired' } });
    // The same statement reads when the message was accepted and submitted (latency metrics).
    expect(results[0]).toMatchObject({
      match: { acceptedAt: expect.any(Date), submittedAt: expect.any(Date) },
    });
    expect(await messages.findForTenant(tenantId, m1)).toMatchObject({
      status: 'delivered',
      errorCode: null,
    });
    expect(await messages.findForTenant(tenantId, m2)).toMatchObject({
      status: 'expired',
      errorCode: 'delivery_expired',
    });
    expect(await rowOf(first!)).toEqual({ processed: true, message_id: m1, job_id: jobId });
    expect(await rowOf(second!)).toMatchObject({ processed: true, message_id: m1 });
    expect(await rowOf(enroute!)).toMatchObject({ processed: true, message_id: null });
    // A receipt that names no message (yet) stays unprocessed, to be retried.
    expect(await rowOf(lateMatch!)).toMatchObject({ processed: false });

    // Applying the batch again changes nothing: everything but the unmatched one is a duplicate.
    const again = await receipts.applyBatch([first!, second!, enroute!, final!, lateMatch!]);
    expect(again.map((r) => r.kind)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'unmatched',
    ]);
    await messages.markSubmitted(await submittedLater(), 'batch-none', 1, null);
    const [late] = await receipts.applyBatch([lateMatch!]);
    expect(late).toMatchObject({ kind: 'matched', match: { applied: true, status: 'delivered' } });
  });

  async function submittedLater(): Promise<string> {
    return (await messages.insertAccepted(testMessage(tenantId))).message.id;
  }

  it('sends receipts for parts of a multipart message through the per-part path, and marks them', async () => {
    const m = testMessage(tenantId, { segments: 2 });
    await messages.insertAccepted(m);
    const partIds = ['bp-0', 'bp-1'];
    await messages.markManySubmitted([
      { id: m.id, carrierMessageId: partIds[0]!, segments: 2, traceContext: null, partIds },
    ]);
    const single = await submitted('bp-single');
    const ids = (await receipts.insertEach('sim', [
      receipt('bp-0', 'delivered', 'DELIVRD'),
      receipt('bp-single', 'delivered', 'DELIVRD'),
      receipt('bp-1', 'delivered', 'DELIVRD'),
    ])) as string[];
    const results = await receipts.applyBatch(ids);
    expect(results.map((r) => r.kind)).toEqual(['matched', 'matched', 'matched']);
    expect(results[1]).toMatchObject({ match: { messageId: single, applied: true } });
    expect(results[2]).toMatchObject({ match: { messageId: m.id, applied: true, status: 'delivered' } });
    expect((await messages.findForTenant(tenantId, m.id))?.status).toBe('delivered');
    for (const id of ids) expect(await rowOf(id)).toMatchObject({ processed: true });
    expect((await rowOf(ids[0]!))?.message_id).toBe(m.id);
  });
});
