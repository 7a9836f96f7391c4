import { silentLogger, systemClock } from '@maskline/core';
import { createRedisConnection, DeliveryQueues } from '@maskline/queues';
import { MessageRouter, RouteTable } from '@maskline/routing';
import {
  ApiKeyRepository,
  MessageRepository,
  RevealGrantRepository,
  RoutingRepository,
} from '@maskline/storage';
import {
  createTestDatabase,
  seedTenant,
  TEST_IDEMPOTENCY_SECRET,
  TEST_PEPPER,
  type TestDatabase,
  uniqueQueuePrefix,
} from '@maskline/testing';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { inject } from 'vitest';
import { buildIngestApp } from '../../src/app.js';
import { CachedApiKeyAuthenticator } from '../../src/auth/api-key-cache.js';
import { ServerTiming } from '../../src/http/server-timing.js';
import { RequestDigests } from '../../src/idempotency/request-digests.js';
import { AcceptMessage } from '../../src/messages/accept-message.js';

export interface TestApp {
  db: TestDatabase;
  app: FastifyInstance;
  queues: DeliveryQueues;
  messages: MessageRepository;
  apiKey: string;
  tenantId: string;
  routes: RouteTable;
  close(): Promise<void>;
}

/**
 * The ingest app over real PostgreSQL and Redis, driven with fastify's inject(); with
 * `serverTiming`, wired as INGEST_SERVER_TIMING=1 wires it.
 */
export async function startTestApp(options: {
  rateLimitPerMinute: number;
  serverTiming?: boolean;
  /** The configured carriers' regions, as CARRIERS gives them to the router. */
  carriers?: { id: string; regions: string[] }[];
}): Promise<TestApp> {
  const db = await createTestDatabase(inject('postgresUrl'));
  const redis: Redis = createRedisConnection(inject('redisUrl'), 'producer');
  const { apiKey, tenantId } = await seedTenant(db.pool);
  const messages = new MessageRepository(db.pool, db.vault);
  const queues = new DeliveryQueues({ connection: redis, prefix: uniqueQueuePrefix() });
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
  const app = await buildIngestApp({
    logger: silentLogger,
    apiKeys,
    apiKeyAdmin: { repository: keyStore, authenticator: apiKeys, audit: db.vault, clock: systemClock },
    messages,
    acceptMessage: new AcceptMessage(
      timing ? timing.timeInserts(messages) : messages,
      timing ? timing.timeEnqueues(queues) : queues,
      silentLogger,
      digests,
      new MessageRouter(routes, carriers, 'sim'),
    ),
    routing: {
      repository: routing,
      table: routes,
      carriers: new Set(carriers.map((c) => c.id)),
      audit: db.vault,
    },
    revealGrants: new RevealGrantRepository(db.pool),
    audit: db.vault,
    redis,
    rateLimitPerMinute: options.rateLimitPerMinute,
    maxBodyChars: 1530,
    readiness: { postgres: async () => void (await db.pool.query('SELECT 1')) },
    ...(timing ? { serverTiming: timing } : {}),
  });
  return {
    db,
    app,
    queues,
    messages,
    apiKey,
    tenantId,
    routes,
    async close() {
      await app.close();
      await queues.close();
      redis.disconnect();
      await db.drop();
    },
  };
}
