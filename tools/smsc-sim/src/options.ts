import type { Logger } from '@maskline/core';
import { z } from 'zod';

const port = z.number().int().min(0).max(65_535);
const delayMs = z.number().int().min(0).max(3_600_000);

export const simulatorOptionsSchema = z.strictObject({
  /** Address the SMPP server listens on. */
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port (read it back from `smppPort`). */
  smppPort: port.default(0),
  /** HTTP control API port on 127.0.0.1: 0 picks a free port, null runs no control API. */
  controlPort: port.nullable().default(0),
  /** When set, binds with another system_id get ESME_RINVSYSID. */
  systemId: z.string().min(1).max(15).optional(),
  /**
   * When set, a system_id may hold at most this many binds at once (each transceiver,
   * transmitter or receiver counts one); a bind over it gets ESME_RBINDFAIL, as carriers
   * that cap binds per account answer.
   */
  maxBinds: z.number().int().min(1).max(10_000).optional(),
  /** When set, binds with another password get ESME_RINVPASWD. */
  password: z.string().max(8).optional(),
  /** Delay before each submit_sm_resp (simulated SMSC latency). */
  submitRespDelayMs: delayMs.default(0),
  /** Delay from submit_sm_resp to the delivery receipt. */
  receiptDelayMs: delayMs.default(0),
  messageIdFormat: z.enum(['hex', 'decimal']).default('hex'),
  /** How many accepted submits the simulator remembers (a ring). */
  recordLimit: z.number().int().min(1).max(10_000_000).default(10_000),
  /** Receipts kept for a system_id with no receiving bind; beyond this they are discarded. */
  pendingReceiptLimit: z.number().int().min(0).max(10_000_000).default(100_000),
  /** Wait before redelivering a receipt the client answered with an error. */
  receiptRetryMs: delayMs.default(500),
  /** Deliveries of one receipt (first try included) before it is discarded. */
  receiptMaxAttempts: z.number().int().min(1).max(1_000).default(10),
  /** Receipts for concatenated submits: for `each` part (own message_id each), or the `last` part only. */
  receiptParts: z.enum(['each', 'last']).default('each'),
  /** How long injectMo waits for deliver_sm_resp. */
  moResponseTimeoutMs: z.number().int().min(1).max(3_600_000).default(10_000),
  /** Append every accepted submit and acknowledged receipt to this file (see journal.ts). */
  journalFile: z.string().min(1).optional(),
});

/** Options of startSmscSimulator; every field has a default. */
export type SmscSimulatorOptions = z.input<typeof simulatorOptionsSchema> & {
  /** Structured logs (binds, protocol errors). Never given numbers or bodies. Default: silent. */
  logger?: Logger;
};

export type ResolvedOptions = z.output<typeof simulatorOptionsSchema>;
