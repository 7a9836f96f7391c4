import { commonConfigShape, requireRedisTarget } from '@maskline/app-runtime';
import { parseConfig } from '@maskline/core';
import { webhookConfigShape } from '@maskline/webhooks';
import { z } from 'zod';
import { maskingRelayConfigShape } from './inbound/masking-config.js';

export const receiptProcessorConfigSchema = z.object({
  ...commonConfigShape,
  /** Carrier events processed at once per process. */
  CONCURRENCY: z.coerce.number().int().positive().default(32),
  /** Receipts and inbound messages not processed after this long are enqueued again. */
  SWEEP_AFTER_MS: z.coerce.number().int().positive().default(60_000),
  SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(15_000),
  /** How often each process checks that Redis still holds its data (one call per check). */
  REDIS_LOSS_CHECK_MS: z.coerce.number().int().positive().default(1_000),
  /**
   * A receipt that matched no message for this long is parked as unmatched (processed,
   * kept, counted). Far longer than a receipt overtaking its `submitted` commit takes.
   */
  RECEIPT_UNMATCHED_AFTER_MS: z.coerce.number().int().positive().default(600_000),
  /** How long the carrier keeps trying a message (its validity period). */
  MESSAGE_VALIDITY_MS: z.coerce.number().int().positive().default(172_800_000),
  /** Added to the validity before a message with no final receipt ends `expired` (receipt_timeout). */
  RECEIPT_GRACE_MS: z.coerce.number().int().nonnegative().default(3_600_000),
  /** How often the per-tenant retention purge runs. */
  RETENTION_INTERVAL_MS: z.coerce.number().int().positive().default(3_600_000),
  /**
   * Webhook events (with their deliveries and attempt log) are deleted this many days after
   * they were recorded, by the retention purge; an event with a pending delivery is kept.
   */
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  /** Sandbox (ml_test_) messages in a final status are deleted this many hours after creation. */
  SANDBOX_RETENTION_HOURS: z.coerce.number().int().positive().default(24),
  ...maskingRelayConfigShape,
  ...webhookConfigShape,
});

export type ReceiptProcessorConfig = z.infer<typeof receiptProcessorConfigSchema>;

export function loadReceiptProcessorConfig(
  env: NodeJS.ProcessEnv = process.env,
): Readonly<ReceiptProcessorConfig> {
  const config = parseConfig(receiptProcessorConfigSchema, env, 'receipt-processor');
  requireRedisTarget(config);
  return config;
}
