import 'reflect-metadata';
import { type Logger, systemClock, TOKENS } from '@maskline/core';
import { createLogger } from '@maskline/logging';
import { createRedisConnection, DeliveryQueues } from '@maskline/queues';
import { ApiKeyRepository, createPgPool, MessageRepository } from '@maskline/storage';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from 'tsyringe';
import { CachedApiKeyAuthenticator } from './auth/api-key-cache.js';
import type { IngestConfig } from './config.js';
import { AcceptMessage } from './messages/accept-message.js';
import { QueuedMarker } from './messages/queued-marker.js';
import { Reconciler } from './outbox/reconciler.js';

const LOCAL = {
  AcceptMessage: Symbol.for('maskline.ingest.AcceptMessage'),
  QueuedMarker: Symbol.for('maskline.ingest.QueuedMarker'),
  Reconciler: Symbol.for('maskline.ingest.Reconciler'),
} as const;

/** The ingest composition root: the one place that knows which class implements what. */
export function createIngestContainer(config: Readonly<IngestConfig>, logger?: Logger): DependencyContainer {
  const c = rootContainer.createChildContainer();
  const cached = <T>(make: (c: DependencyContainer) => T) => ({
    useFactory: instanceCachingFactory<T>(make),
  });
  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.Logger, {
    useValue: logger ?? createLogger({ service: 'maskline-ingest', level: config.LOG_LEVEL }),
  });
  c.register(
    TOKENS.PgPool,
    cached(() =>
      createPgPool({
        connectionString: config.DATABASE_URL,
        max: config.PG_POOL_SIZE,
        applicationName: 'maskline-ingest',
      }),
    ),
  );
  c.register(
    TOKENS.Redis,
    cached(() => createRedisConnection(config.REDIS_URL, 'producer')),
  );
  c.register(
    TOKENS.MessageRepository,
    cached((c) => new MessageRepository(c.resolve(TOKENS.PgPool))),
  );
  c.register(
    TOKENS.ApiKeyRepository,
    cached(
      (c) =>
        new CachedApiKeyAuthenticator(
          new ApiKeyRepository(c.resolve(TOKENS.PgPool), config.API_KEY_PEPPER),
          systemClock,
          config.API_KEY_CACHE_TTL_MS,
        ),
    ),
  );
  c.register(
    TOKENS.Queues,
    cached(
      (c) => new DeliveryQueues({ connection: c.resolve<Redis>(TOKENS.Redis), prefix: config.QUEUE_PREFIX }),
    ),
  );
  c.register(
    LOCAL.QueuedMarker,
    cached((c) => new QueuedMarker(c.resolve(TOKENS.MessageRepository), c.resolve(TOKENS.Logger))),
  );
  c.register(
    LOCAL.AcceptMessage,
    cached(
      (c) =>
        new AcceptMessage(
          c.resolve(TOKENS.MessageRepository),
          c.resolve(TOKENS.Queues),
          c.resolve(LOCAL.QueuedMarker),
          c.resolve(TOKENS.Logger),
          config.API_KEY_PEPPER,
          config.DEFAULT_CARRIER,
        ),
    ),
  );
  c.register(
    LOCAL.Reconciler,
    cached(
      (c) =>
        new Reconciler(
          c.resolve(TOKENS.MessageRepository),
          c.resolve(TOKENS.Queues),
          c.resolve(TOKENS.Logger),
          {
            afterMs: config.RECONCILE_AFTER_MS,
            intervalMs: config.RECONCILE_INTERVAL_MS,
          },
        ),
    ),
  );
  return c;
}

export interface IngestServices {
  config: Readonly<IngestConfig>;
  logger: Logger;
  pool: pg.Pool;
  redis: Redis;
  apiKeys: CachedApiKeyAuthenticator;
  messages: MessageRepository;
  queues: DeliveryQueues;
  acceptMessage: AcceptMessage;
  queuedMarker: QueuedMarker;
  reconciler: Reconciler;
}

export function resolveIngestServices(c: DependencyContainer): IngestServices {
  return {
    config: c.resolve(TOKENS.Config),
    logger: c.resolve(TOKENS.Logger),
    pool: c.resolve(TOKENS.PgPool),
    redis: c.resolve(TOKENS.Redis),
    apiKeys: c.resolve(TOKENS.ApiKeyRepository),
    messages: c.resolve(TOKENS.MessageRepository),
    queues: c.resolve(TOKENS.Queues),
    acceptMessage: c.resolve(LOCAL.AcceptMessage),
    queuedMarker: c.resolve(LOCAL.QueuedMarker),
    reconciler: c.resolve(LOCAL.Reconciler),
  };
}
