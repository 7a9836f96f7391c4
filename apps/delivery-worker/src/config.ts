import { commonConfigShape } from '@maskline/app-runtime';
import { parseConfig } from '@maskline/core';
import { webhookConfigShape } from '@maskline/webhooks';
import { z } from 'zod';

const carrierSchema = z.object({
  /** The carrier's id: names its queue and appears on messages. */
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/),
  /** Which plugin speaks to it, e.g. "smpp". */
  plugin: z.string().min(1),
  /** Submits per second across every worker process (a slot schedule in Redis); 0 = none. */
  tps: z.number().int().min(0).default(0),
  /**
   * Jobs processed at once per worker process. A job is a batch (one per ingest group
   * commit: up to 200 messages under heavy load, often a handful at moderate load) or one
   * message (a retry or a restore), so keep concurrency × the typical batch well above the
   * plugin's total window; 16 left a window of 100 half used in the bench.
   */
  concurrency: z.number().int().positive().default(64),
  /**
   * Messages one worker process holds loaded (row read, content opened) ahead of the
   * carrier. Default: 4 × the plugin's in-flight limit (SMPP: window × binds), at least 32.
   */
  loadAhead: z.number().int().positive().optional(),
  /** The plugin's own configuration, validated by its schema. */
  config: z.record(z.string(), z.unknown()).default({}),
});

export type CarrierSettings = z.infer<typeof carrierSchema>;

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
  .pipe(z.array(carrierSchema).min(1));

export const deliveryWorkerConfigSchema = z.object({
  ...commonConfigShape,
  /** JSON array of carriers: [{"id":"sim","plugin":"smpp","config":{...}}]. */
  CARRIERS: carriersFromJson,
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
