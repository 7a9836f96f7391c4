import 'reflect-metadata';
import { DependencyHealth, type Logger, OutageTracker, systemClock, TOKENS } from '@maskline/core';
import { createLogger } from '@maskline/logging';
import type { RedisClient } from '@maskline/queues';
import { CarrierEventQueue, createRedisConnection, isRedisUnavailable } from '@maskline/queues';
import {
  createPgPool,
  InboundRepository,
  isPgUnavailable,
  MessageRepository,
  ReceiptRepository,
  StatusWebhooks,
} from '@maskline/storage';
import { createKeyProvider, PgVault } from '@maskline/vault';
import { type Tracer, trace } from '@opentelemetry/api';
import type pg from 'pg';
import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from 'tsyringe';
import { type CommonConfig, requireRedisTarget } from './common-config.js';

const OPENED_VAULTS = Symbol.for('maskline.app-runtime.OpenedVaults');

/**
 * How this process sees PostgreSQL and Redis: one OutageTracker each (counts failures,
 * logs once per state change) and the DependencyHealth that classifies errors over both.
 */
export const HEALTH_TOKENS = {
  Postgres: Symbol.for('maskline.app-runtime.PostgresHealth'),
  Redis: Symbol.for('maskline.app-runtime.RedisHealth'),
  Dependencies: Symbol.for('maskline.app-runtime.DependencyHealth'),
} as const;

/** A registration resolved once per container (a singleton within it). */
export function cached<T>(make: (c: DependencyContainer) => T) {
  return { useFactory: instanceCachingFactory<T>(make) };
}

export interface BaseContainerOptions {
  /** e.g. "maskline-ingest": names the logger and the PostgreSQL application. */
  service: string;
  config: Readonly<CommonConfig>;
  /** Workers block on Redis and must wait through reconnects; producers fail fast. */
  redisRole: 'producer' | 'worker';
  tracer?: Tracer;
  logger?: Logger;
}

/**
 * The registrations every app needs, made once: config, clock, tracer, logger,
 * PostgreSQL pool, Redis connection, the repositories and the carrier-events queue.
 * Each app's container.ts adds its own classes on top.
 */
export function createBaseContainer(options: BaseContainerOptions): DependencyContainer {
  const { config, service } = options;
  const c = rootContainer.createChildContainer();
  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.Clock, { useValue: systemClock });
  c.register(TOKENS.Tracer, { useValue: options.tracer ?? trace.getTracer(service) });
  c.register(TOKENS.Logger, {
    useValue: options.logger ?? createLogger({ service, level: config.LOG_LEVEL }),
  });
  c.register(
    HEALTH_TOKENS.Postgres,
    cached((c) => new OutageTracker('postgres', c.resolve<Logger>(TOKENS.Logger))),
  );
  c.register(
    HEALTH_TOKENS.Redis,
    cached((c) => new OutageTracker('redis', c.resolve<Logger>(TOKENS.Logger))),
  );
  c.register(
    HEALTH_TOKENS.Dependencies,
    cached(
      (c) =>
        new DependencyHealth([
          { tracker: c.resolve(HEALTH_TOKENS.Postgres), isUnavailable: isPgUnavailable },
          { tracker: c.resolve(HEALTH_TOKENS.Redis), isUnavailable: isRedisUnavailable },
        ]),
    ),
  );
  c.register(
    TOKENS.PgPool,
    cached((c) =>
      createPgPool({
        connectionString: config.DATABASE_URL,
        max: config.PG_POOL_SIZE,
        applicationName: service,
        monitor: c.resolve(HEALTH_TOKENS.Postgres),
      }),
    ),
  );
  c.register(
    TOKENS.Redis,
    cached((c) =>
      createRedisConnection(requireRedisTarget(config), options.redisRole, c.resolve(HEALTH_TOKENS.Redis)),
    ),
  );
  // The vault opens its key provider (a keyring file, an HSM session) only when first
  // used; closeBaseContainer closes it only if it was opened.
  const openedVaults: PgVault[] = [];
  c.register(OPENED_VAULTS, { useValue: openedVaults });
  c.register(
    TOKENS.Vault,
    cached((c) => {
      const vault = new PgVault({
        pool: c.resolve(TOKENS.PgPool),
        keyProvider: createKeyProvider(config),
        actor: `system:${service}`,
        cacheTtlMs: config.VAULT_CACHE_TTL_MS,
      });
      openedVaults.push(vault);
      // A shred or key change in another process evicts this process's cached keys at once.
      const logger = c.resolve<Logger>(TOKENS.Logger);
      void vault.watchKeyChanges({
        onError: (error) =>
          logger.warn(
            { reason: error.message },
            'vault key-change listener lost; reconnecting (cache TTL applies)',
          ),
      });
      return vault;
    }),
  );
  // One per process: the webhook wiring hands it the process's webhooks queue, if any.
  c.register(TOKENS.StatusWebhooks, { useValue: new StatusWebhooks() });
  c.register(
    TOKENS.MessageRepository,
    cached(
      (c) =>
        new MessageRepository(
          c.resolve(TOKENS.PgPool),
          c.resolve(TOKENS.Vault),
          c.resolve(TOKENS.StatusWebhooks),
        ),
    ),
  );
  c.register(
    TOKENS.InboundRepository,
    cached((c) => new InboundRepository(c.resolve(TOKENS.PgPool), c.resolve(TOKENS.Vault))),
  );
  c.register(
    TOKENS.ReceiptRepository,
    cached((c) => new ReceiptRepository(c.resolve(TOKENS.PgPool), c.resolve(TOKENS.StatusWebhooks))),
  );
  c.register(
    TOKENS.CarrierEvents,
    cached(
      (c) =>
        new CarrierEventQueue({
          connection: c.resolve<RedisClient>(TOKENS.Redis),
          prefix: config.QUEUE_PREFIX,
          monitor: c.resolve(HEALTH_TOKENS.Redis),
        }),
    ),
  );
  return c;
}

/** Closes the connections the base container opened. Close queues that use them first. */
export async function closeBaseContainer(c: DependencyContainer): Promise<void> {
  c.resolve<RedisClient>(TOKENS.Redis).disconnect();
  for (const vault of c.resolve<PgVault[]>(OPENED_VAULTS)) await vault.close().catch(() => {});
  await c
    .resolve<pg.Pool>(TOKENS.PgPool)
    .end()
    .catch(() => {});
}
