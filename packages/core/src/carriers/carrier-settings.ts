import { z } from 'zod';

/** A carrier's id: names its queue, its callback path, and appears on messages and routes. */
export const carrierIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/);

/** Where a secret's value comes from: an environment variable or a file (trailing newline dropped). */
export const secretSourceSchema = z.union([
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);

export type SecretSource = z.infer<typeof secretSourceSchema>;

/**
 * One configured carrier, as the carriers file (or the CARRIERS variable) lists it. Every
 * app that routes or delivers reads the same list: the ingest to route, the delivery
 * worker to connect. Secret values never sit here: `secrets` names where each comes from.
 */
export const carrierSettingsSchema = z.object({
  id: carrierIdSchema,
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
  /** Data-residency regions the carrier's traffic stays in (e.g. "eu", "cn"); see routing. */
  regions: z.array(z.string().regex(/^[a-z0-9-]{1,32}$/)).default([]),
  /**
   * A sandbox carrier (a simulator): the only kind that takes `ml_test_` keys' messages,
   * and a sandbox message never leaves it, not even by failover (docs/guides/sandbox.md).
   */
  sandbox: z.boolean().optional(),
  /** The plugin's secrets by name: where each value is read from. */
  secrets: z.record(z.string(), secretSourceSchema).default({}),
  /** The plugin's own configuration, validated by its schema. */
  config: z.record(z.string(), z.unknown()).default({}),
});

export type CarrierSettings = z.infer<typeof carrierSettingsSchema>;
