import { parseConfig } from '@maskline/core';
import { z } from 'zod';

export const receiptProcessorConfigSchema = z.object({
  DATABASE_URL: z.string().min(1),
  REDIS_URL: z.string().min(1),
  QUEUE_PREFIX: z.string().min(1).default('ml'),
  /** Carrier events processed at once per process. */
  CONCURRENCY: z.coerce.number().int().positive().default(32),
  /** Receipts and inbound messages not processed after this long are enqueued again. */
  SWEEP_AFTER_MS: z.coerce.number().int().positive().default(60_000),
  SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(15_000),
  PG_POOL_SIZE: z.coerce.number().int().positive().default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
});

export type ReceiptProcessorConfig = z.infer<typeof receiptProcessorConfigSchema>;

export function loadReceiptProcessorConfig(
  env: NodeJS.ProcessEnv = process.env,
): Readonly<ReceiptProcessorConfig> {
  return parseConfig(receiptProcessorConfigSchema, env, 'receipt-processor');
}
