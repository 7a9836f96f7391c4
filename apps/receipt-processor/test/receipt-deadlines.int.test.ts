import type { CarrierEventQueue, ReceiptJob } from '@maskline/queues';
import type { InboundRepository, MessageRepository, ReceiptRepository } from '@maskline/storage';
import { type TestDatabase, testMessage, until } from '@maskline/testing';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ReceiptProcessor } from '../src/receipts/receipt-processor.js';
import { CarrierEventSweeper } from '../src/sweep/carrier-event-sweeper.js';
import { type CarrierEventsHarness, startCarrierEventsHarness } from './support/carrier-events-harness.js';

const HOUR = 3_600_000;

/** Orphaned receipts are parked, and messages whose receipt never comes end: real PostgreSQL and Redis. */
describe('receipt deadlines: unmatched receipts and messages without a final receipt', () => {
  let harness: CarrierEventsHarness;
  let db: TestDatabase;
  let events: CarrierEventQueue;
  let messages: MessageRepository;
  let receipts: ReceiptRepository;
  let inbound: InboundRepository;
  let processor: ReceiptProcessor;
  let tenantId: string;
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const log = (fields: object, message: string) =>
    void lines.push({ fields: fields as Record<string, unknown>, message });
  const logger = { debug: log, info: log, warn: log, error: log, child: () => logger };

  beforeAll(async () => {
    harness = await startCarrierEventsHarness({
      postgresUrl: inject('postgresUrl'),
      redisUrl: inject('redisUrl'),
    });
    ({ db, events, messages, receipts, inbound, processor, tenantId } = harness);
  });
  afterAll(() => harness.close());

  const sweeper = (settings: { unmatchedAfterMs?: number; receiptDeadlineMs?: number } = {}) =>
    new CarrierEventSweeper(receipts, inbound, events, logger, {
      afterMs: 0,
      intervalMs: 60_000,
      unmatchedAfterMs: settings.unmatchedAfterMs ?? 60_000,
      receiptDeadlineMs: settings.receiptDeadlineMs ?? HOUR,
    });

  async function submittedMessage(carrierMessageId: string): Promise<string> {
    const { id } = (await messages.insertAccepted(testMessage(tenantId))).message;
    await messages.markSubmitted(id, carrierMessageId, 1, null);
    return id;
  }

  const delivered = (carrierMessageId: string) =>
    receipts.insert('sim', {
      type: 'receipt',
      carrierMessageId,
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
    });

  /** Moves a receipt's arrival into the past instead of waiting for the window. */
  const receivedAgo = (id: string, ms: number) =>
    db.pool.query(
      `UPDATE receipts SET received_at = now() - make_interval(secs => $2::float8 / 1000) WHERE id = $1`,
      [id, ms],
    );

  const unmatchedAt = async (id: string) =>
    (
      await db.pool.query<{ unmatched_at: Date | null }>('SELECT unmatched_at FROM receipts WHERE id = $1', [
        id,
      ])
    ).rows[0]?.unmatched_at ?? null;

  it('parks a receipt matching no message once the window passed (not before), and stops sweeping it', async () => {
    const orphan = await delivered('never-issued-01');
    await events.publishReceipt({ carrierId: 'sim', receiptId: orphan });
    // The processor retries it (it may have overtaken its submitted commit).
    await until(
      async () => (await events.queue.getJob(orphan))?.attemptsMade ?? 0,
      (n) => n >= 1,
    );
    const early = await sweeper().runOnce();
    expect(early.parkedUnmatched).toBe(0);
    expect((await receipts.load(orphan))?.processed).toBe(false);

    // A receipt whose job was lost while its message exists: old, but never parked.
    const id = await submittedMessage('known-02');
    const lost = await delivered('known-02');

    await receivedAgo(orphan, 61_000);
    await receivedAgo(lost, 61_000);
    const report = await sweeper().runOnce();
    expect(report.parkedUnmatched).toBe(1);
    expect(await unmatchedAt(orphan)).not.toBeNull();
    expect((await receipts.load(orphan))?.processed).toBe(true);
    expect(lines.find((l) => l.message === 'sweep' && l.fields.parkedUnmatched === 1)).toBeDefined();
    // The lost receipt was re-enqueued and applied instead.
    expect(
      await until(
        () => messages.findForTenant(tenantId, id),
        (m) => m?.status === 'delivered',
      ),
    ).toMatchObject({
      status: 'delivered',
    });
    expect(await unmatchedAt(lost)).toBeNull();
    // Parked is final for the sweep: it is no longer among the rows it re-enqueues.
    expect((await receipts.findUnprocessed(0, 1_000)).map((r) => r.id)).not.toContain(orphan);
    const parked = await receipts.unmatched(10);
    expect(parked.total).toBe(1);
    expect(parked.latest[0]).toMatchObject({
      id: orphan,
      carrierId: 'sim',
      carrierMessageId: 'never-issued-01',
    });
  });

  it('a receipt still unmatched at its last attempt is parked as unmatched', async () => {
    const receiptId = await delivered('never-issued-03');
    const job = { data: { carrierId: 'sim', receiptId }, attemptsMade: 19, opts: { attempts: 20 } };
    expect(await processor.process(job as Job<ReceiptJob>)).toBe('orphaned');
    expect(await unmatchedAt(receiptId)).not.toBeNull();
  });

  it('a parked receipt is applied only when an operator replays it, once its message exists', async () => {
    const receiptId = await delivered('late-issued-06');
    await receivedAgo(receiptId, 61_000);
    expect((await sweeper().runOnce()).parkedUnmatched).toBe(1);
    expect(await receipts.replayUnmatched(receiptId)).toEqual({ outcome: 'still_unmatched' });

    const id = await submittedMessage('late-issued-06');
    // The sweep leaves it parked: it was kept, not queued again.
    await sweeper().runOnce();
    expect((await messages.findForTenant(tenantId, id))?.status).toBe('submitted');
    expect(await receipts.replayUnmatched(receiptId)).toEqual({
      outcome: 'applied',
      messageId: id,
      status: 'delivered',
    });
    expect(await messages.findForTenant(tenantId, id)).toMatchObject({
      status: 'delivered',
      errorCode: null,
    });
    expect(await unmatchedAt(receiptId)).toBeNull();
    expect(await receipts.replayUnmatched(receiptId)).toEqual({ outcome: 'not_parked' });
  });

  it('a message with no final receipt after validity + grace ends expired (receipt_timeout); a later receipt changes nothing', async () => {
    const overdue = await submittedMessage('quiet-04');
    const recent = await submittedMessage('quiet-05');
    await db.pool.query(`UPDATE messages SET submitted_at = now() - interval '2 hours' WHERE id = $1`, [
      overdue,
    ]);

    const report = await sweeper({ receiptDeadlineMs: HOUR }).runOnce();
    expect(report.expiredWithoutReceipt).toBe(1);
    expect(await messages.findForTenant(tenantId, overdue)).toMatchObject({
      status: 'expired',
      errorCode: 'receipt_timeout',
    });
    expect((await messages.findForTenant(tenantId, recent))?.status).toBe('submitted');
    expect(lines.find((l) => l.message === 'sweep' && l.fields.expiredWithoutReceipt === 1)).toBeDefined();

    const late = await delivered('quiet-04');
    await events.publishReceipt({ carrierId: 'sim', receiptId: late });
    await until(
      () => receipts.load(late),
      (r) => r?.processed === true,
    );
    expect(await messages.findForTenant(tenantId, overdue)).toMatchObject({
      status: 'expired',
      errorCode: 'receipt_timeout',
    });
    expect(await unmatchedAt(late)).toBeNull();
  });
});
