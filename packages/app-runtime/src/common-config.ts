import { jobLockConfigShape } from '@maskline/queues';
import { vaultConfigShape } from '@maskline/vault';
import { z } from 'zod';

/** Settings every app reads: where the system of record and the queues are, logs, traces. */
export const commonConfigShape = {
  DATABASE_URL: z.string().min(1),
  REDIS_URL: z.string().min(1),
  /** BullMQ key prefix; give it a hash tag (e.g. `{ml}`) on Redis Cluster. */
  QUEUE_PREFIX: z.string().min(1).default('ml'),
  PG_POOL_SIZE: z.coerce.number().int().positive().default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  ...vaultConfigShape,
  ...jobLockConfigShape,
};

const commonConfigSchema = z.object(commonConfigShape);
export type CommonConfig = z.infer<typeof commonConfigSchema>;
