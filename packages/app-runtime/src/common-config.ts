import {
  jobLockConfigShape,
  parseClusterNode,
  type RedisTarget,
  requireClusterPrefix,
} from '@maskline/queues';
import { vaultConfigShape } from '@maskline/vault';
import { z } from 'zod';

/** Settings every app reads: where the system of record and the queues are, logs, traces. */
export const commonConfigShape = {
  DATABASE_URL: z.string().min(1),
  /** One Redis server; on Redis Cluster only its username and password are used. */
  REDIS_URL: z.string().min(1),
  /**
   * Redis Cluster seeds, comma-separated `host:port`s (unset: single-node REDIS_URL). Set,
   * QUEUE_PREFIX must carry a hash tag such as `{ml}` (requireRedisTarget checks it at boot).
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n.length > 0),
    ),
  /** BullMQ key prefix; give it a hash tag (e.g. `{ml}`) on Redis Cluster (required there). */
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

/**
 * Where the app's Redis is, checked: on Redis Cluster each seed must be `host:port` and
 * QUEUE_PREFIX must carry a hash tag (a config_invalid error at boot otherwise).
 */
export function requireRedisTarget(
  config: Pick<CommonConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'QUEUE_PREFIX'>,
): RedisTarget {
  const clusterNodes = config.REDIS_CLUSTER_NODES;
  if (clusterNodes.length > 0) {
    for (const node of clusterNodes) parseClusterNode(node);
    requireClusterPrefix(config.QUEUE_PREFIX);
  }
  return { url: config.REDIS_URL, clusterNodes, queuePrefix: config.QUEUE_PREFIX };
}
