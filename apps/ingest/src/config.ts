import {
  carriersConfigShape,
  commonConfigShape,
  loadCarriers,
  requireConfiguredCarrier,
  requireRedisTarget,
} from '@maskline/app-runtime';
import { type CarrierSettings, carrierIdSchema, MasklineError, parseConfig } from '@maskline/core';
import { maskingConfigShape } from '@maskline/masking';
import { webhookConfigShape } from '@maskline/webhooks';
import { z } from 'zod';
import { anomalyConfigShape } from './anomalies/anomaly-config.js';
import { tlsConfigShape } from './http/tls-options.js';
import { verificationConfigShape } from './verifications/verification-config.js';

/** Every knob of the ingest app, validated and frozen at boot. Defaults suit the local stack. */
export const ingestConfigSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Port of GET /metrics (and /live, /ready), off the public API port (unset: not served). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  ...commonConfigShape,
  /** Server-side secret mixed into API-key digests (>= 16 chars). */
  API_KEY_PEPPER: z.string().min(16),
  /**
   * Key of the digests that tell an Idempotency-Key retry from a conflicting reuse (>= 16
   * chars, not the pepper). Unset: derived from API_KEY_PEPPER with HKDF, and the ingest
   * warns at boot (docs/reference/configuration.md says why it stays optional).
   */
  IDEMPOTENCY_KEY_SECRET: z.string().min(16).optional(),
  /** 1: a retry of a request accepted before the split (digest keyed by the pepper) still replays. */
  IDEMPOTENCY_LEGACY_DIGESTS: z
    .enum(['0', '1'])
    .default('1')
    .transform((v) => v === '1'),
  /** How long a user's management session (after password and TOTP) lasts, in seconds. */
  USER_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(1_800),
  /** How long a successful API-key lookup is remembered (0 = ask the database every time). */
  API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).default(30_000),
  /** The configured carriers (the delivery worker's list): CARRIERS_FILE or CARRIERS. */
  ...carriersConfigShape,
  /** Carrier that messages route to until routing rules exist: one of the configured carriers. */
  DEFAULT_CARRIER: carrierIdSchema.default('sim'),
  /**
   * Carrier of sandbox (ml_test_) traffic: a configured carrier marked `"sandbox": true`.
   * Unset: the first such carrier, or none (test keys' sends then answer 503 sandbox_unavailable).
   */
  SANDBOX_CARRIER: carrierIdSchema.optional(),
  /** How often the route table is reloaded from PostgreSQL (changes through this ingest apply at once). */
  ROUTES_REFRESH_MS: z.coerce.number().int().positive().default(5_000),
  /** Requests per minute per API key, held across all ingest processes (Redis). */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(60_000),
  /** Requests per minute per tenant, all its keys together (0 = no tenant limit). */
  RATE_LIMIT_TENANT_PER_MINUTE: z.coerce.number().int().min(0).default(120_000),
  /** POST /v1/messages per minute per tenant and destination number (0 = no destination limit). */
  RATE_LIMIT_DESTINATION_PER_MINUTE: z.coerce.number().int().min(0).default(60),
  /** Failed authentications per client address per minute before 429 auth_rate_limited. */
  AUTH_FAILURE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(20),
  /**
   * Whether the client address is read from X-Forwarded-For (fastify trustProxy): `false`
   * (default: the socket's peer), `true` (every hop), a hop count, or a comma-separated
   * list of proxy addresses/CIDRs. Only behind a proxy that sets the header itself.
   */
  TRUST_PROXY: z.string().default('false').transform(parseTrustProxy),
  /** HTTPS and optional mutual TLS (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CLIENT_CA_FILE, TLS_CLIENT_CERT_REQUIRED). */
  ...tlsConfigShape,
  /** Longest body accepted, in characters (10 concatenated GSM segments = 1530). */
  MAX_BODY_CHARS: z.coerce.number().int().positive().default(1_530),
  /** The periodic reconciler re-adds missing jobs of messages pending longer than this. */
  RECONCILE_AFTER_MS: z.coerce.number().int().positive().default(30_000),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().positive().default(10_000),
  /** Deliver jobs collect the messages committed within this many ms (several group commits) before they are added. */
  DELIVER_JOB_WINDOW_MS: z.coerce.number().int().min(0).max(1_000).default(5),
  /** How often each process checks that Redis still holds its data (one call per check). */
  REDIS_LOSS_CHECK_MS: z.coerce.number().int().positive().default(1_000),
  /** 1: answer with a Server-Timing header (stage durations only; for the bench). Off by default. */
  INGEST_SERVER_TIMING: z
    .enum(['0', '1'])
    .default('0')
    .transform((v) => v === '1'),
  /** on: Bull Board on /admin/queues for signed-in owners and admins (docs/observability.md). Off by default. */
  QUEUE_DASHBOARD: z.enum(['on', 'off']).default('off'),
  /** Only this tenant's owners and admins may open the dashboard (unset: any tenant's). */
  QUEUE_DASHBOARD_TENANT: z.uuid().optional(),
  /** How long the dashboard's browser cookie lasts (the session is checked on every request too). */
  QUEUE_DASHBOARD_COOKIE_TTL_SECONDS: z.coerce.number().int().min(60).max(3_600).default(900),
  ...anomalyConfigShape,
  ...maskingConfigShape,
  ...webhookConfigShape,
  ...verificationConfigShape,
});

export type IngestConfig = z.infer<typeof ingestConfigSchema> & {
  /** The configured carriers (CARRIERS_FILE or CARRIERS): routes may name only these; residency reads their regions. */
  carriers: readonly CarrierSettings[];
  /** Where ml_test_ keys' messages go (SANDBOX_CARRIER or the first sandbox carrier); null: none. */
  sandboxCarrier: string | null;
};

/**
 * Validates the environment and the carriers it names (reads CARRIERS_FILE): a
 * DEFAULT_CARRIER that is not a configured carrier would park every message for good.
 */
export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): Readonly<IngestConfig> {
  const config = parseConfig(ingestConfigSchema, env, 'ingest');
  requireRedisTarget(config);
  if (config.IDEMPOTENCY_KEY_SECRET === config.API_KEY_PEPPER) {
    throw new MasklineError('config_invalid', {
      message: 'Invalid ingest configuration: IDEMPOTENCY_KEY_SECRET: must differ from API_KEY_PEPPER.',
    });
  }
  const carriers = loadCarriers(config);
  requireConfiguredCarrier(carriers, config.DEFAULT_CARRIER, 'DEFAULT_CARRIER');
  return Object.freeze({
    ...config,
    carriers,
    sandboxCarrier: sandboxCarrierOf(carriers, config.SANDBOX_CARRIER),
  });
}

/**
 * The carrier of sandbox traffic. A named one must be configured and marked sandbox: a
 * test key's message reaching a live carrier would be a real SMS to a real person.
 */
export function sandboxCarrierOf(
  carriers: readonly CarrierSettings[],
  named: string | undefined,
): string | null {
  if (named === undefined) return carriers.find((carrier) => carrier.sandbox)?.id ?? null;
  requireConfiguredCarrier(carriers, named, 'SANDBOX_CARRIER');
  if (!carriers.find((carrier) => carrier.id === named)?.sandbox) {
    throw new MasklineError('config_invalid', {
      message: `Invalid ingest configuration: SANDBOX_CARRIER: "${named}" is not marked "sandbox": true in the carriers list.`,
    });
  }
  return named;
}

/** What fastify's trustProxy takes: off, every hop, a hop test, or a list of addresses/CIDRs. */
export type TrustProxy = boolean | string[] | ((address: string, hop: number) => boolean);

/** TRUST_PROXY as fastify takes it: false, true, a hop count, or a list of addresses/CIDRs. */
export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim();
  if (text === '' || text === 'false' || text === '0') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) {
    // proxy-addr's hop count: trust the n closest hops.
    const hops = Number(text);
    return (_address: string, hop: number) => hop < hops;
  }
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}
