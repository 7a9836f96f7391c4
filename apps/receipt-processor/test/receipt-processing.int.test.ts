import { silentLogger, systemClock } from '@maskline/core';
import type { CarrierEventQueue } from '@maskline/queues';
import type { InboundRepository, MessageRepository, ReceiptRepository } from '@maskline/storage';
import { type TestDatabase, testMessage, until } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CarrierEventSweeper } from '../src/sweep/carrier-event-sweeper.js';
import { type CarrierEventsHarness, startCarrierEventsHarness } from './support/carrier-events-harness.js';

describe('receipt processing against real Redis and PostgreSQL', () => {
  let harness: CarrierEventsHarness;
  let db: TestDatabase;
  let events: CarrierEventQueue;
  let messages: MessageRepository;
  let receipts: ReceiptRepository;
  let inbound: InboundRepository;
  let tenantId: string;

  beforeAll(async () => {
    harness = await startCarrierEventsHarness({
      postgresUrl: inject('postgresUrl'),
      redisUrl: inject('redisUrl'),
    });
    ({ db, events, messages, receipts, inbound, tenantId } = harness);
  });
  afterAll(() => harness.close());

  async function submittedMessage(carrierMessageId: string | null): Promise<string> {
    const { id } = (await messages.insertAccepted(testMessage(tenantId))).message;
    if (carrierMessageId) await messages.markSubmitted(id, carrierMessageId, 1, null);
    return id;
  }

  async function receive(
    carrierMessageId: string,
    stat: 'DELIVRD' | 'UNDELIV',
    outcome: 'delivered' | 'undeliverable',
  ) {
    const receiptId = await receipts.insert('sim', {
      type: 'receipt',
      carrierMessageId,
      outcome,
      carrierStatus: stat,
    });
    await events.publishReceipt({ carrierId: 'sim', receiptId });
    return receiptId;
  }

  it('applies a receipt, and a later contradicting duplicate changes nothing', async () => {
    const id = await submittedMessage('aa01');
    const first = await receive('aa01', 'DELIVRD', 'delivered');
    await until(
      () => receipts.load(first),
      (r) => r?.processed === true,
    );
    const second = await receive('aa01', 'UNDELIV', 'undeliverable');
    await until(
      () => receipts.load(second),
      (r) => r?.processed === true,
    );
    expect(await messages.findForTenant(tenantId, id)).toMatchObject({
      status: 'delivered',
      errorCode: null,
    });
  });

  it('holds a receipt that overtook its submitted commit until the message appears', async () => {
    const id = await submittedMessage(null);
    const receiptId = await receive('bb02', 'UNDELIV', 'undeliverable');
    await new Promise((r) => setTimeout(r, 200));
    expect((await receipts.load(receiptId))?.processed).toBe(false);
    await messages.markSubmitted(id, 'bb02', 1, null);
    const m = await until(
      () => messages.findForTenant(tenantId, id),
      (m) => m?.status === 'undeliverable',
    );
    expect(m).toMatchObject({ status: 'undeliverable', errorCode: 'delivery_failed' });
  });

  it('sweeps receipts and inbound rows whose job was lost', async () => {
    const id = await submittedMessage('cc03');
    const receiptId = await receipts.insert('sim', {
      type: 'receipt',
      carrierMessageId: 'cc03',
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
    });
    const inboundId = await inbound.insert('sim', {
      type: 'inbound',
      from: '+447911123456',
      to: '+447911000000',
      body: 'reply',
      receivedAt: systemClock.now().toISOString(),
    });
    const sweeper = new CarrierEventSweeper(receipts, inbound, events, silentLogger, {
      afterMs: 0,
      intervalMs: 60_000,
      unmatchedAfterMs: 3_600_000,
      receiptDeadlineMs: 3_600_000,
    });
    const report = await sweeper.runOnce();
    expect(report.receipts).toBeGreaterThanOrEqual(1);
    expect(report.inbound).toBeGreaterThanOrEqual(1);
    await until(
      () => messages.findForTenant(tenantId, id),
      (m) => m?.status === 'delivered',
    );
    // Marking the receipt processed follows the status update (batched): wait for it too.
    const receipt = await until(
      () => receipts.load(receiptId),
      (r) => r?.processed === true,
    );
    expect(receipt?.processed).toBe(true);
    const processed = await until(
      async () =>
        (await db.pool.query('SELECT processed_at FROM inbound_messages WHERE id = $1', [inboundId])).rows[0],
      (row) => row.processed_at !== null,
    );
    expect(processed.processed_at).not.toBeNull();
  });
});
