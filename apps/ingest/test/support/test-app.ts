import { type Logger, silentLogger, systemClock } from '@maskline/core';
import { createRedisConnection, DeliveryQueues } from '@maskline/queues';
import { MessageRouter, RouteTable } from '@maskline/routing';
import {
  ApiKeyRepository,
  MessageRepository,
  RevealGrantRepository,
  RevealPolicyRepository,
  RoutingRepository,
  SecurityAlertRepository,
  VerificationBlockRepository,
  VerificationLimitRepository,
  VerificationRepository,
} from '@maskline/storage';
import {
  createTestDatabase,
  seedTenant,
  TEST_IDEMPOTENCY_SECRET,
  TEST_PEPPER,
  TEST_VERIFICATION_SECRET,
  type TestDatabase,
  uniqueQueuePrefix,
} from '@maskline/testing';
import { DEFAULT_PUMPING_THRESHOLDS, type PumpingThresholds } from '@maskline/verification';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { inject } from 'vitest';
import { AnomalyDetectors, type AnomalySettings } from '../../src/anomalies/anomaly-detectors.js';
import { SecurityAlerts } from '../../src/anomalies/security-alerts.js';
import { buildIngestApp } from '../../src/app.js';
import { CachedApiKeyAuthenticator } from '../../src/auth/api-key-cache.js';
import { parseTrustProxy } from '../../src/config.js';
import { ServerTiming } from '../../src/http/server-timing.js';
import type { IngestTls } from '../../src/http/tls-options.js';
import { RequestDigests } from '../../src/idempotency/request-digests.js';
import { AcceptMessage } from '../../src/messages/accept-message.js';
import { addressKeyOf } from '../../src/rate-limits/auth-failure-throttle.js';
import { PumpingGuard } from '../../src/verifications/pumping-guard.js';
import { TenantVerificationLimits } from '../../src/verifications/tenant-verification-limits.js';
import { VerificationBlocks } from '../../src/verifications/verification-blocks.js';
import type { VerificationLimitSettings } from '../../src/verifications/verification-config.js';
import { VerificationLimits } from '../../src/verifications/verification-limits.js';
import { VerificationService } from '../../src/verifications/verification-service.js';

export interface TestApp {
  db: TestDatabase;
  app: FastifyInstance;
  queues: DeliveryQueues;
  messages: MessageRepository;
  apiKey: string;
  tenantId: string;
  routes: RouteTable;
  redis: Redis;
  queuePrefix: string;
  /** Adds the deliver jobs of the requests answered so far (their window closes now). */
  flushJobs(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The ingest app over real PostgreSQL and Redis, driven with fastify's inject(); with
 * `serverTiming`, wired as INGEST_SERVER_TIMING=1 wires it.
 */
export async function startTestApp(options: {
  rateLimitPerMinute: number;
  serverTiming?: boolean;
  /** DELIVER_JOB_WINDOW_MS (default: the ingest's). */
  deliverJobWindowMs?: number;
  /** The configured carriers' regions, as CARRIERS gives them to the router. */
  carriers?: { id: string; regions: string[] }[];
  /** The app's logger (default silent), e.g. one that records lines to scan. */
  logger?: Logger;
  /** RATE_LIMIT_TENANT_PER_MINUTE and RATE_LIMIT_DESTINATION_PER_MINUTE (absent: not limited). */
  tenantRateLimitPerMinute?: number;
  destinationRateLimitPerMinute?: number;
  /** AUTH_FAILURE_LIMIT_PER_MINUTE (absent: failures are not throttled). */
  authFailureLimitPerMinute?: number;
  /** Redis to use instead of the test stack's (e.g. through a CuttableLink). */
  redisUrl?: string;
  /** TRUST_PROXY as config.ts parses it (e.g. 'true'). */
  trustProxy?: string;
  /** The sandbox carrier of ml_test_ keys (default 'sim'; null: none configured). */
  sandboxCarrier?: string | null;
  /** HTTPS (and mutual TLS), as run.ts builds it from TLS_* (then listen to reach it). */
  tls?: IngestTls;
  /** Wires /v1/verifications (with TEST_VERIFICATION_SECRET) under these abuse limits. */
  verifications?: {
    limits: VerificationLimitSettings;
    resendCooldownMs?: number;
    /** SMS-pumping thresholds; by default off (minSends 0), so other tests' ranges are not judged. */
    pumping?: Partial<PumpingThresholds>;
  };
  /** Runs the anomaly detectors with these settings (each absent one off). */
  anomalies?: Partial<AnomalySettings>;
}): Promise<TestApp> {
  const logger = options.logger ?? silentLogger;
  const db = await createTestDatabase(inject('postgresUrl'));
  const redis: Redis = createRedisConnection(options.redisUrl ?? inject('redisUrl'), 'producer');
  const { apiKey, tenantId } = await seedTenant(db.pool);
  const messages = new MessageRepository(db.pool, db.vault);
  const queuePrefix = uniqueQueuePrefix();
  const queues = new DeliveryQueues({ connection: redis, prefix: queuePrefix });
  const timing = options.serverTiming ? new ServerTiming() : undefined;
  const routing = new RoutingRepository(db.pool);
  const routes = new RouteTable(routing, silentLogger, 60_000);
  await routes.refresh();
  const carriers = (options.carriers ?? []).map((c) => ({
    ...c,
    plugin: 'smpp',
    tps: 0,
    concurrency: 1,
    secrets: {},
    config: {},
  }));
  const digests = RequestDigests.fromConfig({
    API_KEY_PEPPER: TEST_PEPPER,
    IDEMPOTENCY_KEY_SECRET: TEST_IDEMPOTENCY_SECRET,
    IDEMPOTENCY_LEGACY_DIGESTS: true,
  });
  const keyStore = new ApiKeyRepository(db.pool, TEST_PEPPER);
  // TTL 0: every request asks PostgreSQL (a revocation shows at once); last_used_at is stamped.
  const apiKeys = new CachedApiKeyAuthenticator(keyStore, systemClock, 0);
  const off = { threshold: 0, windowMs: 60_000 };
  const anomalies = options.anomalies
    ? new AnomalyDetectors(
        redis,
        new SecurityAlerts(new SecurityAlertRepository(db.pool), logger),
        {
          reveals: off,
          listing: off,
          authFailures: off,
          newCountries: { ...off, lookbackMs: 86_400_000, learningMs: 0 },
          ...options.anomalies,
        },
        logger,
        `${queuePrefix}-anomaly`,
      )
    : undefined;
  const acceptMessage = new AcceptMessage(
    timing ? timing.timeInserts(messages) : messages,
    queues,
    logger,
    digests,
    new MessageRouter(routes, carriers, 'sim'),
    undefined,
    undefined,
    options.sandboxCarrier === undefined ? 'sim' : options.sandboxCarrier,
    anomalies,
    options.deliverJobWindowMs,
  );
  const blockRepository = new VerificationBlockRepository(db.pool);
  const pumping = new PumpingGuard(
    redis,
    blockRepository,
    db.vault,
    db.vault,
    { ...DEFAULT_PUMPING_THRESHOLDS, minSends: 0, ...options.verifications?.pumping },
    `${queuePrefix}-verify-pump`,
  );
  const limitRepository = new VerificationLimitRepository(db.pool);
  const verificationLimits = options.verifications
    ? new VerificationLimits(
        redis,
        options.verifications.limits,
        `${queuePrefix}-verify-limit`,
        limitRepository,
      )
    : null;
  const verifications =
    options.verifications && verificationLimits
      ? new VerificationService(
          new VerificationRepository(db.pool, db.vault, options.verifications.resendCooldownMs ?? 30_000),
          acceptMessage,
          verificationLimits,
          db.vault,
          { secret: TEST_VERIFICATION_SECRET, defaultFrom: 'Verify', maxSegments: 1 },
          db.vault,
          pumping,
        )
      : undefined;
  const app = await buildIngestApp({
    logger,
    apiKeys,
    apiKeyAdmin: { repository: keyStore, authenticator: apiKeys, audit: db.vault, clock: systemClock },
    messages,
    acceptMessage,
    routing: {
      repository: routing,
      table: routes,
      carriers: new Set(carriers.map((c) => c.id)),
      audit: db.vault,
    },
    revealGrants: new RevealGrantRepository(db.pool),
    revealPolicies: new RevealPolicyRepository(db.pool),
    audit: db.vault,
    redis,
    rateLimitPerMinute: options.rateLimitPerMinute,
    rateLimitPrefix: `${queuePrefix}-ratelimit`,
    ...(options.tenantRateLimitPerMinute
      ? { tenantRateLimitPerMinute: options.tenantRateLimitPerMinute }
      : {}),
    ...(options.destinationRateLimitPerMinute
      ? { destinationRateLimitPerMinute: options.destinationRateLimitPerMinute, destinationKeys: db.vault }
      : {}),
    ...(options.authFailureLimitPerMinute
      ? {
          authFailures: {
            limitPerMinute: options.authFailureLimitPerMinute,
            addressKey: addressKeyOf(TEST_PEPPER),
            prefix: `${queuePrefix}-auth-fail`,
          },
        }
      : {}),
    ...(options.trustProxy ? { trustProxy: parseTrustProxy(options.trustProxy) } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    maxBodyChars: 1530,
    ...(anomalies ? { anomalies } : {}),
    readiness: { postgres: async () => void (await db.pool.query('SELECT 1')) },
    ...(timing ? { serverTiming: timing } : {}),
    ...(verifications
      ? {
          verifications: {
            verifications,
            blocks: new VerificationBlocks(blockRepository, db.vault),
            ...(verificationLimits
              ? { limits: new TenantVerificationLimits(limitRepository, verificationLimits, db.vault) }
              : {}),
          },
        }
      : {}),
  });
  return {
    db,
    app,
    queues,
    messages,
    apiKey,
    tenantId,
    routes,
    redis,
    queuePrefix,
    flushJobs: () => acceptMessage.drain(),
    async close() {
      await app.close();
      await acceptMessage.drain();
      await queues.close();
      redis.disconnect();
      await db.drop();
    },
  };
}
