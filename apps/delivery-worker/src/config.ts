import { commonConfigShape } from '@maskline/app-runtime';
import { carrierSettingsSchema, parseConfig } from '@maskline/core';
import { webhookConfigShape } from '@maskline/webhooks';
import { z } from 'zod';

export type { CarrierSettings } from '@maskline/core';

const carriersFromJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.array(carrierSettingsSchema).min(1));

export const deliveryWorkerConfigSchema = z.object({
  ...commonConfigShape,
  /** JSON array of carriers: [{"id":"sim","plugin":"smpp","config":{...}}]. */
  CARRIERS: carriersFromJson,
  /** 1: a message its carrier cannot take moves to the next eligible route (docs/routing.md#failover). */
  FAILOVER: z
    .enum(['0', '1'])
    .default('1')
    .transform((v) => v === '1'),
  /** How often the routes are reloaded for failover. */
  ROUTES_REFRESH_MS: z.coerce.number().int().positive().default(5_000),
  /** Lifetime of a carrier's shared health key; refreshed every health check (1 s). */
  CARRIER_HEALTH_TTL_MS: z.coerce.number().int().min(2_000).default(5_000),
  /** How long one plugin submit may take before the host gives up on it. */
  SUBMIT_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Bound on a carrier plugin's start() and close(); a start that takes longer failed. */
  CARRIER_START_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** A carrier that failed to start is retried after 0.5 s, doubling up to this. */
  CARRIER_RETRY_MAX_MS: z.coerce.number().int().min(500).default(30_000),
  /** How long a receipt or inbound message waits for PostgreSQL before the carrier is refused (and resends). */
  CARRIER_EVENT_HOLD_MS: z.coerce.number().int().min(0).default(20_000),
  /** Receipts/inbound left unqueued longer than this are re-enqueued by the sweep. */
  SWEEP_AFTER_MS: z.coerce.number().int().positive().default(30_000),
  /** message.status deliveries this process enqueues after commit: claimed this long first. */
  WEBHOOK_LEASE_MS: webhookConfigShape.WEBHOOK_LEASE_MS,
  /** Deliveries per webhooks job. */
  WEBHOOK_BATCH_SIZE: webhookConfigShape.WEBHOOK_BATCH_SIZE,
});

export type DeliveryWorkerConfig = z.infer<typeof deliveryWorkerConfigSchema>;

export function loadDeliveryWorkerConfig(
  env: NodeJS.ProcessEnv = process.env,
): Readonly<DeliveryWorkerConfig> {
  return parseConfig(deliveryWorkerConfigSchema, env, 'delivery-worker');
}
