import { silentLogger, systemClock } from '@maskline/core';
import type { ApiKeyRepository } from '@maskline/storage';
import { MessageRepository, RevealGrantRepository, RevealPolicyRepository } from '@maskline/storage';
import type { TestDatabase } from '@maskline/testing';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildIngestApp } from '../../src/app.js';

/**
 * The ingest app with every optional route group on, for tests that walk its routes (scopes,
 * the OpenAPI document): authentication, scopes and rate limits run on real PostgreSQL and
 * Redis; the handlers are never reached, so their dependencies are placeholders. Ready.
 */
export async function routeTreeApp(
  db: TestDatabase,
  redis: Redis,
  keys: ApiKeyRepository,
): Promise<FastifyInstance> {
  const unused = {} as never;
  const app = await buildIngestApp({
    logger: silentLogger,
    apiKeys: keys,
    messages: new MessageRepository(db.pool, db.vault),
    acceptMessage: unused,
    revealGrants: new RevealGrantRepository(db.pool),
    revealPolicies: new RevealPolicyRepository(db.pool),
    audit: db.vault,
    redis,
    rateLimitPerMinute: 100_000,
    maxBodyChars: 1530,
    readiness: {},
    masking: { masking: unused, sessionMessages: unused, inboundCodes: unused },
    webhooks: unused,
    numbers: unused,
    routing: unused,
    apiKeyAdmin: { repository: keys, authenticator: keys, audit: db.vault, clock: systemClock },
    verifications: { verifications: unused, blocks: unused, limits: unused },
    users: { service: unused, auditLog: unused },
  });
  await app.ready();
  return app;
}
