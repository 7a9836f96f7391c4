import { randomUUID } from 'node:crypto';
import type { ReceiptEvent } from '@maskline/core';
import type { CarrierEventQueue } from '@maskline/queues';
import type { MessageRepository, ReceiptRepository } from '@maskline/storage';
import { ATTR, SPAN } from '@maskline/telemetry';
import { testMessage, until } from '@maskline/testing';
import type { Tracer } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CarrierEventsHarness, startCarrierEventsHarness } from './support/carrier-events-harness.js';

/** Batch jobs (`receipts`) through the real worker: outcomes per receipt, spans per message. */
describe('receipt batch jobs against real Redis and PostgreSQL', () => {
  let harness: CarrierEventsHarness;
  let events: CarrierEventQueue;
  let messages: MessageRepository;
  let receipts: ReceiptRepository;
  let tenantId: string;
  const results = new Map<string, unknown>();
  const spans: { name: string; attributes: Record<string, unknown> }[] = [];
  const tracer = {
    startSpan: (name: string, options: { attributes: Record<string, unknown> }) => {
      spans.push({ name, attributes: options.attributes });
      return { end: () => {} };
    },
  } as unknown as Tracer;

  beforeAll(async () => {
    harness = await startCarrierEventsHarness(
      { postgresUrl: inject('postgresUrl'), redisUrl: inject('redisUrl') },
      { tracer, retryDelayMs: 100 },
    );
    ({ events, messages, receipts, tenantId } = harness);
    harness.worker.on('completed', (job, result) => void results.set(job.id!, result));
  });
  afterAll(() => harness.close());

  async function submitted(carrierMessageId: string): Promise<string> {
    const { id } = (await messages.insertAccepted(testMessage(tenantId))).message;
    await messages.markSubmitted(id, carrierMessageId, 1, null);
    return id;
  }

  /** As the carrier event sink does: one insert and one job for receipts that came together. */
  async function sinkBatch(batch: ReceiptEvent[]): Promise<{ jobId: string; ids: string[] }> {
    const jobId = randomUUID();
    const ids = (await receipts.insertEach('sim', batch, jobId)) as string[];
    await events.publishReceiptBatch({ carrierId: 'sim', receiptIds: ids }, jobId);
    return { jobId, ids };
  }

  const delivered = (carrierMessageId: string): ReceiptEvent => ({
    type: 'receipt',
    carrierMessageId,
    outcome: 'delivered',
    carrierStatus: 'DELIVRD',
  });

  it('applies a batch, counts each outcome, and records one span per matched receipt', async () => {
    const m1 = await submitted('job-1');
    const m2 = await submitted('job-2');
    const { jobId } = await sinkBatch([
      delivered('job-1'),
      { type: 'receipt', carrierMessageId: 'job-2', outcome: 'enroute', carrierStatus: 'ENROUTE' },
      delivered('job-2'),
      { type: 'receipt', carrierMessageId: 'job-1', outcome: 'undeliverable', carrierStatus: 'UNDELIV' },
    ]);
    await until(
      async () => results.get(jobId),
      (r) => r !== undefined,
    );
    expect(results.get(jobId)).toEqual({ applied: 2, duplicate: 1, intermediate: 1, retrying: 0 });
    for (const m of [m1, m2]) expect((await messages.findForTenant(tenantId, m))?.status).toBe('delivered');
    const ours = spans.filter((s) => [m1, m2].includes(String(s.attributes[ATTR.messageId])));
    expect(ours.map((s) => s.attributes[ATTR.messageId]).sort()).toEqual([m1, m1, m2].sort());
    expect(ours.every((s) => s.name === SPAN.receipt)).toBe(true);
  });

  it('re-adds a receipt that overtook its submitted commit as its own delayed job, applied once the message appears', async () => {
    const early = (await messages.insertAccepted(testMessage(tenantId))).message.id;
    const known = await submitted('job-known');
    const { jobId, ids } = await sinkBatch([delivered('job-early'), delivered('job-known')]);
    await until(
      async () => results.get(jobId),
      (r) => r !== undefined,
    );
    // The batch completes with the early receipt handed to a job of its own (job id = receipt id).
    expect(results.get(jobId)).toEqual({ applied: 1, duplicate: 0, intermediate: 0, retrying: 1 });
    const retry = await events.queue.getJob(ids[0]!);
    expect(retry).toMatchObject({ name: 'receipt', data: { carrierId: 'sim', receiptId: ids[0] } });
    expect((await messages.findForTenant(tenantId, known))?.status).toBe('delivered');
    expect((await receipts.load(ids[0]!))?.processed).toBe(false);

    await messages.markSubmitted(early, 'job-early', 1, null);
    const m = await until(
      () => messages.findForTenant(tenantId, early),
      (m) => m?.status === 'delivered',
    );
    expect(m?.status).toBe('delivered');
    expect(
      await until(
        async () => results.get(ids[0]!),
        (r) => r !== undefined,
      ),
    ).toBe('applied');
  });

  it('fails a batch job whose payload is not ids only, without retrying it', async () => {
    const job = await events.queue.add('receipts', {
      carrierId: 'sim',
      receiptIds: [randomUUID()],
      to: '+447911123456',
    } as never);
    const failed = await until(
      async () => (await events.queue.getJob(job.id!))?.failedReason,
      (r) => r !== undefined,
    );
    expect(failed).toBe('invalid_request');
    expect((await events.queue.getJob(job.id!))?.attemptsMade).toBe(1);
  });
});
