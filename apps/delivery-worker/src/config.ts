import {
  carriersConfigShape,
  commonConfigShape,
  loadCarriers,
  requireRedisTarget,
} from '@maskline/app-runtime';
import { type CarrierSettings, parseConfig } from '@maskline/core';
import { webhookConfigShape } from '@maskline/webhooks';
import { z } from 'zod';

export type { CarrierSettings } from '@maskline/core';

export const deliveryWorkerConfigSchema = z.object({
  ...commonConfigShape,
  /** Where the carriers are listed: CARRIERS_FILE (YAML or JSON) or CARRIERS (inline JSON). */
  ...carriersConfigShape,
  /** 1: a message its carrier cannot take moves to the next eligible route (docs/routing.md#failover). */
  FAILOVER: z
    .enum(['0', '1'])
    .default('1')
    .transform((v) => v === '1'),
  /** How often the routes are reloaded for failover. */
  ROUTES_REFRESH_MS: z.coerce.number().int().positive().default(5_000),
  /** Lifetime of a carrier's shared health key; refreshed every health check (1 s). */
  CARRIER_HEALTH_TTL_MS: z.coerce.number().int().min(2_000).default(5_000),
  /**
   * 1: a carrier's connection slots (SMPP binds) are leased in Redis across every worker
   * process, so together they open at most the configured `binds` (docs/scaling.md).
   * 0: every process opens all of them (one worker process per carrier only).
   */
  BIND_LEASES: z
    .enum(['0', '1'])
    .default('1')
    .transform((v) => v === '1'),
  /**
   * Lifetime of a bind slot lease, renewed every fifth of it: a dead process's binds are
   * taken over by another within about this long (plus one renewal).
   */
  BIND_LEASE_TTL_MS: z.coerce.number().int().min(1_000).max(600_000).default(5_000),
  /** How long one plugin submit may take before the host gives up on it. */
  SUBMIT_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Bound on a carrier plugin's start() and close(); a start that takes longer failed. */
  CARRIER_START_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** A carrier that failed to start is retried after 0.5 s, doubling up to this. */
  CARRIER_RETRY_MAX_MS: z.coerce.number().int().min(500).default(30_000),
  /** How long a receipt or inbound message waits for PostgreSQL before the carrier is refused (and resends). */
  CARRIER_EVENT_HOLD_MS: z.coerce.number().int().min(0).default(20_000),
  /** Serve carriers' HTTP callbacks (receipts, inbound) on this port; unset: no callback server. */
  CARRIER_CALLBACK_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  CARRIER_CALLBACK_HOST: z.string().min(1).default('127.0.0.1'),
  /** The public base URL carriers call (signatures cover it); default http://{host}:{port}. */
  CARRIER_CALLBACK_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  /** Callback bodies larger than this are refused (413). */
  CARRIER_CALLBACK_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1_024)
    .default(64 * 1024),
  /** A callback whose signed time lies further than this from now is refused (401). */
  CARRIER_CALLBACK_REPLAY_WINDOW_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  /** Receipts/inbound left unqueued longer than this are re-enqueued by the sweep. */
  SWEEP_AFTER_MS: z.coerce.number().int().positive().default(30_000),
  /** message.status deliveries this process enqueues after commit: claimed this long first. */
  WEBHOOK_LEASE_MS: webhookConfigShape.WEBHOOK_LEASE_MS,
  /** Deliveries per webhooks job. */
  WEBHOOK_BATCH_SIZE: webhookConfigShape.WEBHOOK_BATCH_SIZE,
});

export type DeliveryWorkerConfig = z.infer<typeof deliveryWorkerConfigSchema> & {
  /** The carriers this worker delivers through, read from CARRIERS_FILE or CARRIERS. */
  carriers: readonly CarrierSettings[];
};

export function loadDeliveryWorkerConfig(
  env: NodeJS.ProcessEnv = process.env,
): Readonly<DeliveryWorkerConfig> {
  const config = parseConfig(deliveryWorkerConfigSchema, env, 'delivery-worker');
  requireRedisTarget(config);
  return Object.freeze({ ...config, carriers: loadCarriers(config) });
}

/** The public base URL of the callback server, or undefined when it is not served. */
export function callbackBaseUrl(config: Readonly<DeliveryWorkerConfig>): string | undefined {
  if (config.CARRIER_CALLBACK_PORT === undefined) return undefined;
  return (
    config.CARRIER_CALLBACK_BASE_URL ??
    `http://${config.CARRIER_CALLBACK_HOST}:${config.CARRIER_CALLBACK_PORT}`
  );
}
