import { z } from 'zod';

/**
 * Job payloads. They carry ids and carrier status words only: never a phone number,
 * message body or code. Each schema is strict, so a field added by mistake (say, `to`)
 * fails validation instead of reaching Redis.
 */
export const traceCarrierSchema = z
  .object({ traceparent: z.string().max(64), tracestate: z.string().max(512).optional() })
  .strict();

export const deliverJobSchema = z
  .object({
    messageId: z.uuid(),
    tenantId: z.uuid(),
    trace: traceCarrierSchema.optional(),
  })
  .strict();

/** The most receipt ids one batch job carries (the sink's batches hold at most 200). */
export const MAX_RECEIPTS_PER_JOB = 1_000;

/** Most message ids one batch deliver job may carry (the ingest's group commit is smaller). */
export const MAX_DELIVER_BATCH = 1_000;

/**
 * One job for the messages of one insert batch (its job id is a fresh uuidv7, the batch
 * id, stored on each row). No trace: each message's trace context is on its row.
 */
export const deliverBatchJobSchema = z
  .object({ messageIds: z.array(z.uuid()).min(1).max(MAX_DELIVER_BATCH) })
  .strict();

export const receiptJobSchema = z
  .object({
    carrierId: z.string().min(1).max(64),
    receiptId: z.uuid(),
  })
  .strict();

/** Receipts a carrier sent together: one job per batch (its job id is a fresh uuid). */
export const receiptBatchJobSchema = z
  .object({
    carrierId: z.string().min(1).max(64),
    receiptIds: z.array(z.uuid()).min(1).max(MAX_RECEIPTS_PER_JOB),
  })
  .strict();

export const inboundJobSchema = z
  .object({
    carrierId: z.string().min(1).max(64),
    inboundId: z.uuid(),
  })
  .strict();

export type TraceCarrier = z.infer<typeof traceCarrierSchema>;
export type DeliverJob = z.infer<typeof deliverJobSchema>;
export type DeliverBatchJob = z.infer<typeof deliverBatchJobSchema>;
/** What a deliver queue holds: one message (job id = message id) or a batch. */
export type AnyDeliverJob = DeliverJob | DeliverBatchJob;

/** Job names on the deliver queues. */
export const DELIVER_JOBS = { message: 'deliver', batch: 'deliver-batch' } as const;
export type ReceiptJob = z.infer<typeof receiptJobSchema>;
export type ReceiptBatchJob = z.infer<typeof receiptBatchJobSchema>;
export type InboundJob = z.infer<typeof inboundJobSchema>;
export type CarrierEventJob = ReceiptJob | ReceiptBatchJob | InboundJob;

/**
 * Job names on the carrier-events queue: `receipts` carries a batch, `receipt` one receipt
 * (a retry of an unmatched one, or a restore; job id = receipt id), `inbound` one MO.
 */
export const CARRIER_EVENT_JOBS = { receipts: 'receipts', receipt: 'receipt', inbound: 'inbound' } as const;
