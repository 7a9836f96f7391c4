import { z } from 'zod';
import { DEFAULT_WEBHOOK_PORTS, type TargetPolicy, targetPolicy } from './target-guard.js';

const ports = z
  .string()
  .regex(/^\d{1,5}(,\d{1,5})*$/)
  .transform((s) => s.split(',').map(Number))
  .refine((list) => list.every((p) => p > 0 && p < 65_536));

/** Webhook settings, shared by the ingest (URL checks) and the receipt processor (delivery). */
export const webhookConfigShape = {
  /** Ports a webhook URL may name. */
  WEBHOOK_ALLOWED_PORTS: ports.default(() => [...DEFAULT_WEBHOOK_PORTS]),
  /** 1 = loopback targets allowed (local development and tests only; never in production). */
  WEBHOOK_ALLOW_LOOPBACK: z.enum(['0', '1']).default('0'),
  /** First retry delay after a failed attempt (doubled per attempt, with jitter). */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().positive().default(10_000),
  /** Longest delay between two attempts. */
  WEBHOOK_RETRY_CAP_MS: z.coerce.number().int().positive().default(3_600_000),
  /** Retries stop (the delivery is dead-lettered) this long after the event (or its redelivery). */
  WEBHOOK_RETRY_FOR_MS: z.coerce.number().int().nonnegative().default(86_400_000),
  /** An endpoint whose attempts have failed for this long is disabled. */
  WEBHOOK_DISABLE_AFTER_MS: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(3 * 86_400_000),
  /** How often due deliveries are claimed and enqueued. */
  WEBHOOK_SWEEP_MS: z.coerce.number().int().positive().default(1_000),
  /** How long a claimed delivery waits for its job before it is claimed again (lost job). */
  WEBHOOK_LEASE_MS: z.coerce.number().int().min(1_000).default(120_000),
  /** Deliveries per job. */
  WEBHOOK_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(50),
  /** Jobs run at once per process. */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().positive().default(4),
};

export interface WebhookConfig {
  WEBHOOK_ALLOWED_PORTS: number[];
  WEBHOOK_ALLOW_LOOPBACK: '0' | '1';
  WEBHOOK_RETRY_BASE_MS: number;
  WEBHOOK_RETRY_CAP_MS: number;
  WEBHOOK_RETRY_FOR_MS: number;
  WEBHOOK_DISABLE_AFTER_MS: number;
  WEBHOOK_SWEEP_MS: number;
  WEBHOOK_LEASE_MS: number;
  WEBHOOK_BATCH_SIZE: number;
  WEBHOOK_CONCURRENCY: number;
}

export function webhookTargetPolicy(
  config: Pick<WebhookConfig, 'WEBHOOK_ALLOWED_PORTS' | 'WEBHOOK_ALLOW_LOOPBACK'>,
): TargetPolicy {
  return targetPolicy({
    allowedPorts: config.WEBHOOK_ALLOWED_PORTS,
    allowLoopback: config.WEBHOOK_ALLOW_LOOPBACK === '1',
  });
}
