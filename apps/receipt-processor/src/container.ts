import 'reflect-metadata';
import { type Logger, TOKENS } from '@maskline/core';
import { createLogger } from '@maskline/logging';
import { CarrierEventQueue, createRedisConnection } from '@maskline/queues';
import { createPgPool, InboundRepository, MessageRepository, ReceiptRepository } from '@maskline/storage';
import type { Tracer } from '@opentelemetry/api';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from 'tsyringe';
import type { ReceiptProcessorConfig } from './config.js';
import { InboundProcessor } from './inbound/inbound-processor.js';
import { ReceiptProcessor } from './receipts/receipt-processor.js';
import { CarrierEventSweeper } from './sweep/carrier-event-sweeper.js';

const LOCAL = {
  ReceiptRepository: Symbol.for('maskline.receipts.ReceiptRepository'),
  CarrierEvents: Symbol.for('maskline.receipts.CarrierEvents'),
  ReceiptProcessor: Symbol.for('maskline.receipts.ReceiptProcessor'),
  InboundProcessor: Symbol.for('maskline.receipts.InboundProcessor'),
  Sweeper: Symbol.for('maskline.receipts.Sweeper'),
} as const;

export function createReceiptContainer(
  config: Readonly<ReceiptProcessorConfig>,
  tracer: Tracer,
  logger?: Logger,
): DependencyContainer {
  const c = rootContainer.createChildContainer();
  const cached = <T>(make: (c: DependencyContainer) => T) => ({
    useFactory: instanceCachingFactory<T>(make),
  });
  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.Tracer, { useValue: tracer });
  c.register(TOKENS.Logger, {
    useValue: logger ?? createLogger({ service: 'maskline-receipt-processor', level: config.LOG_LEVEL }),
  });
  c.register(
    TOKENS.PgPool,
    cached(() =>
      createPgPool({
        connectionString: config.DATABASE_URL,
        max: config.PG_POOL_SIZE,
        applicationName: 'maskline-receipt-processor',
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
    LOCAL.ReceiptProcessor,
    cached(
      (c) =>
        new ReceiptProcessor(
          c.resolve(LOCAL.ReceiptRepository),
          c.resolve(TOKENS.MessageRepository),
          tracer,
          c.resolve(TOKENS.Logger),
        ),
    ),
  );
  c.register(
    LOCAL.InboundProcessor,
    cached(
      (c) => new InboundProcessor(c.resolve(TOKENS.InboundRepository), tracer, c.resolve(TOKENS.Logger)),
    ),
  );
  c.register(
    LOCAL.Sweeper,
    cached(
      (c) =>
        new CarrierEventSweeper(
          c.resolve(LOCAL.ReceiptRepository),
          c.resolve(TOKENS.InboundRepository),
          c.resolve(LOCAL.CarrierEvents),
          c.resolve(TOKENS.Logger),
          { afterMs: config.SWEEP_AFTER_MS, intervalMs: config.SWEEP_INTERVAL_MS },
        ),
    ),
  );
  return c;
}

export interface ReceiptServices {
  logger: Logger;
  pool: pg.Pool;
  redis: Redis;
  events: CarrierEventQueue;
  receipts: ReceiptProcessor;
  inbound: InboundProcessor;
  sweeper: CarrierEventSweeper;
}

export function resolveReceiptServices(c: DependencyContainer): ReceiptServices {
  return {
    logger: c.resolve(TOKENS.Logger),
    pool: c.resolve(TOKENS.PgPool),
    redis: c.resolve(TOKENS.Redis),
    events: c.resolve(LOCAL.CarrierEvents),
    receipts: c.resolve(LOCAL.ReceiptProcessor),
    inbound: c.resolve(LOCAL.InboundProcessor),
    sweeper: c.resolve(LOCAL.Sweeper),
  };
}
