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
  /** Port of GET /live and /ready for apps without an API (unset: no health server). */
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
  /** Longest a SIGTERM drain may take before the process exits 1. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(25_000),
  ...vaultConfigShape,
  ...jobLockConfigShape,
};

const commonConfigSchema = z.object(commonConfigShape);
export type CommonConfig = z.infer<typeof commonConfigSchema>;
