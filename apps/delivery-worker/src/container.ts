import 'reflect-metadata';
import { smppCarrierPlugin } from '@maskline/carrier-smpp';
import { type CarrierPluginDefinition, type Logger, systemClock, TOKENS } from '@maskline/core';
import { createLogger } from '@maskline/logging';
import { CarrierEventQueue, createRedisConnection } from '@maskline/queues';
import { createPgPool, InboundRepository, MessageRepository, ReceiptRepository } from '@maskline/storage';
import type { Tracer } from '@opentelemetry/api';
import type { Redis } from 'ioredis';
import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from 'tsyringe';
import { CarrierEventSinkToQueue } from './carriers/carrier-event-sink.js';
import { CarrierRuntime } from './carriers/carrier-runtime.js';
import type { DeliveryWorkerConfig } from './config.js';

/**
 * The carrier plugins this build can run, registered by typed import. Configuration
 * (CARRIERS) picks which of them run and with what settings.
 */
export const CARRIER_PLUGINS: Readonly<Record<string, CarrierPluginDefinition<unknown>>> = {
  [smppCarrierPlugin.id]: smppCarrierPlugin as CarrierPluginDefinition<unknown>,
};

const LOCAL = {
  CarrierEvents: Symbol.for('maskline.delivery.CarrierEvents'),
  ReceiptRepository: Symbol.for('maskline.delivery.ReceiptRepository'),
  Runtimes: Symbol.for('maskline.delivery.Runtimes'),
} as const;

export function createDeliveryContainer(
  config: Readonly<DeliveryWorkerConfig>,
  tracer: Tracer,
  logger?: Logger,
): DependencyContainer {
  const c = rootContainer.createChildContainer();
  const cached = <T>(make: (c: DependencyContainer) => T) => ({
    useFactory: instanceCachingFactory<T>(make),
  });
  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.Clock, { useValue: systemClock });
  c.register(TOKENS.Tracer, { useValue: tracer });
  c.register(TOKENS.Logger, {
    useValue: logger ?? createLogger({ service: 'maskline-delivery-worker', level: config.LOG_LEVEL }),
  });
  c.register(
    TOKENS.PgPool,
    cached(() =>
      createPgPool({
        connectionString: config.DATABASE_URL,
        max: config.PG_POOL_SIZE,
        applicationName: 'maskline-delivery-worker',
      }),
    ),
  );
  c.register(
    TOKENS.Redis,
    cached(() => createRedisConnection(config.REDIS_URL, 'worker')),
  );
  c.register(
    TOKENS.MessageRepository,
    cached((c) => new MessageRepository(c.resolve(TOKENS.PgPool))),
  );
  c.register(
    TOKENS.InboundRepository,
    cached((c) => new InboundRepository(c.resolve(TOKENS.PgPool))),
  );
  c.register(
    LOCAL.ReceiptRepository,
    cached((c) => new ReceiptRepository(c.resolve(TOKENS.PgPool))),
  );
  c.register(
    LOCAL.CarrierEvents,
    cached(
      (c) =>
        new CarrierEventQueue({ connection: c.resolve<Redis>(TOKENS.Redis), prefix: config.QUEUE_PREFIX }),
    ),
  );
  c.register(
    LOCAL.Runtimes,
    cached((c) =>
      config.CARRIERS.map((settings) =>
        CarrierRuntime.create(settings, {
          plugins: CARRIER_PLUGINS,
          messages: c.resolve(TOKENS.MessageRepository),
          logger: c.resolve(TOKENS.Logger),
          tracer,
          clock: c.resolve(TOKENS.Clock),
          connection: c.resolve(TOKENS.Redis),
          queuePrefix: config.QUEUE_PREFIX,
          submitTimeoutMs: config.SUBMIT_TIMEOUT_MS,
          eventSinkFor: (carrierId) =>
            new CarrierEventSinkToQueue(
              carrierId,
              c.resolve(LOCAL.ReceiptRepository),
              c.resolve(TOKENS.InboundRepository),
              c.resolve(LOCAL.CarrierEvents),
              c.resolve(TOKENS.Clock),
            ),
        }),
      ),
    ),
  );
  return c;
}

export function resolveRuntimes(c: DependencyContainer): CarrierRuntime[] {
  return c.resolve<CarrierRuntime[]>(LOCAL.Runtimes);
}

export function resolveCarrierEvents(c: DependencyContainer): CarrierEventQueue {
  return c.resolve<CarrierEventQueue>(LOCAL.CarrierEvents);
}
