import { commonConfigShape } from '@maskline/app-runtime';
import { parseConfig } from '@maskline/core';
import { z } from 'zod';
import { maskingRelayConfigShape } from './inbound/masking-config.js';

export const receiptProcessorConfigSchema = z.object({
  ...commonConfigShape,
  /** Carrier events processed at once per process. */
  CONCURRENCY: z.coerce.number().int().positive().default(32),
  /** Receipts and inbound messages not processed after this long are enqueued again. */
  SWEEP_AFTER_MS: z.coerce.number().int().positive().default(60_000),
  SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(15_000),
  /** How often the per-tenant retention purge runs. */
  RETENTION_INTERVAL_MS: z.coerce.number().int().positive().default(3_600_000),
  ...maskingRelayConfigShape,
});

export type ReceiptProcessorConfig = z.infer<typeof receiptProcessorConfigSchema>;

export function loadReceiptProcessorConfig(
  env: NodeJS.ProcessEnv = process.env,
): Readonly<ReceiptProcessorConfig> {
  return parseConfig(receiptProcessorConfigSchema, env, 'receipt-processor');
}
