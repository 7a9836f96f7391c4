import { cached, createBaseContainer, HEALTH_TOKENS } from '@maskline/app-runtime';
import { httpJsonCarrierPlugin, twilioCarrierPlugin } from '@maskline/carrier-http';
import { smppCarrierPlugin } from '@maskline/carrier-smpp';
import { type CarrierPluginDefinition, type DependencyHealth, type Logger, TOKENS } from '@maskline/core';
import type { RedisClient } from '@maskline/queues';
import { CarrierHealthBoard, CarrierHealthCache, DeliveryQueues, RedisSlotLeases } from '@maskline/queues';
import { MessageRouter, RouteTable } from '@maskline/routing';
import { MessageFailover, RoutingRepository } from '@maskline/storage';
import type { Tracer } from '@opentelemetry/api';
import type { DependencyContainer } from 'tsyringe';
import { CarrierEventSinkToQueue } from './carriers/carrier-event-sink.js';
import { CarrierRuntime } from './carriers/carrier-runtime.js';
import { callbackBaseUrl, type DeliveryWorkerConfig } from './config.js';
import { CarrierFailover } from './delivery/carrier-failover.js';

/**
 * The carrier plugins this build can run, registered by typed import. Configuration
 * (CARRIERS_FILE or CARRIERS) picks which of them run and with what settings.
 */
export const CARRIER_PLUGINS: Readonly<Record<string, CarrierPluginDefinition<unknown>>> = {
  [smppCarrierPlugin.id]: smppCarrierPlugin as CarrierPluginDefinition<unknown>,
  [twilioCarrierPlugin.id]: twilioCarrierPlugin as CarrierPluginDefinition<unknown>,
  [httpJsonCarrierPlugin.id]: httpJsonCarrierPlugin as CarrierPluginDefinition<unknown>,
};

const LOCAL = {
  Runtimes: Symbol.for('maskline.delivery.Runtimes'),
  Routing: Symbol.for('maskline.delivery.Routing'),
} as const;

/** What failover needs, started and stopped by run.ts. */
export interface WorkerRouting {
  table: RouteTable;
  health: CarrierHealthCache;
  board: CarrierHealthBoard;
  failover: CarrierFailover;
  queues: DeliveryQueues;
}

/** The delivery worker's composition root. */
export function createDeliveryContainer(
  config: Readonly<DeliveryWorkerConfig>,
  tracer: Tracer,
  logger?: Logger,
): DependencyContainer {
  const c = createBaseContainer({
    service: 'maskline-delivery-worker',
    config,
    redisRole: 'worker',
    tracer,
    ...(logger ? { logger } : {}),
  });
  const baseUrl = callbackBaseUrl(config);
  c.register(
    LOCAL.Routing,
    cached((c): WorkerRouting => {
      const redis = c.resolve<RedisClient>(TOKENS.Redis);
      const logger = c.resolve<Logger>(TOKENS.Logger);
      const board = new CarrierHealthBoard(redis, config.QUEUE_PREFIX, config.CARRIER_HEALTH_TTL_MS);
      const health = new CarrierHealthCache(board);
      const table = new RouteTable(
        new RoutingRepository(c.resolve(TOKENS.PgPool)),
        logger,
        config.ROUTES_REFRESH_MS,
      );
      const byId = new Map(config.carriers.map((s) => [s.id, s]));
      // Capabilities come from each carrier's plugin definition: exact in this process.
      const capabilities = {
        capabilitiesOf: (id: string) => {
          const plugin = CARRIER_PLUGINS[byId.get(id)?.plugin ?? ''];
          return plugin ? plugin.capabilities : health.capabilitiesOf(id);
        },
      };
      // No default carrier at failover: with no routes configured nothing moves.
      const router = new MessageRouter(table, config.carriers, '', health, capabilities);
      const queues = new DeliveryQueues({ connection: redis, prefix: config.QUEUE_PREFIX });
      const failover = new CarrierFailover(
        table,
        router,
        new MessageFailover(c.resolve(TOKENS.PgPool)),
        queues,
        logger,
      );
      return { table, health, board, failover, queues };
    }),
  );
  c.register(
    LOCAL.Runtimes,
    cached((c) =>
      config.carriers.map((settings) =>
        CarrierRuntime.create(settings, {
          healthBoard: c.resolve<WorkerRouting>(LOCAL.Routing).board,
          ...(config.FAILOVER ? { failover: c.resolve<WorkerRouting>(LOCAL.Routing).failover } : {}),
          plugins: CARRIER_PLUGINS,
          ...(config.BIND_LEASES
            ? {
                slotLeasesFor: (carrierId: string) =>
                  new RedisSlotLeases({
                    redis: c.resolve<RedisClient>(TOKENS.Redis),
                    prefix: config.QUEUE_PREFIX,
                    carrierId,
                    ttlMs: config.BIND_LEASE_TTL_MS,
                    onEvent: (event) => {
                      const log = c.resolve<Logger>(TOKENS.Logger);
                      if (event.kind === 'redis-error')
                        log.warn({ err: event.error, carrierId }, 'bind lease round failed');
                      else log.info({ carrierId, slot: event.slot, lease: event.kind }, 'bind slot lease');
                    },
                  }),
              }
            : {}),
          messages: c.resolve(TOKENS.MessageRepository),
          logger: c.resolve(TOKENS.Logger),
          tracer,
          clock: c.resolve(TOKENS.Clock),
          connection: c.resolve(TOKENS.Redis),
          queuePrefix: config.QUEUE_PREFIX,
          submitTimeoutMs: config.SUBMIT_TIMEOUT_MS,
          jobLock: config,
          lifecycle: {
            startTimeoutMs: config.CARRIER_START_TIMEOUT_MS,
            retryMaxMs: config.CARRIER_RETRY_MAX_MS,
          },
          ...(baseUrl === undefined ? {} : { callbackBaseUrl: baseUrl }),
          eventSinkFor: (carrierId) =>
            new CarrierEventSinkToQueue(
              carrierId,
              c.resolve(TOKENS.ReceiptRepository),
              c.resolve(TOKENS.InboundRepository),
              c.resolve(TOKENS.CarrierEvents),
              c.resolve(TOKENS.Clock),
              (error) =>
                c
                  .resolve<DependencyHealth>(HEALTH_TOKENS.Dependencies)
                  .logUnlessUnavailable(
                    c.resolve<Logger>(TOKENS.Logger),
                    error,
                    { carrierId },
                    'carrier event enqueue failed; the sweep will enqueue it',
                  ),
              config.CARRIER_EVENT_HOLD_MS,
            ),
        }),
      ),
    ),
  );
  return c;
}

export function resolveRouting(c: DependencyContainer): WorkerRouting {
  return c.resolve<WorkerRouting>(LOCAL.Routing);
}

export function resolveRuntimes(c: DependencyContainer): CarrierRuntime[] {
  return c.resolve<CarrierRuntime[]>(LOCAL.Runtimes);
}
