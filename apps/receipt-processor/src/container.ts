import { cached, createBaseContainer } from '@maskline/app-runtime';
import { type Logger, TOKENS, type Vault } from '@maskline/core';
import type { RedisClient } from '@maskline/queues';
import { type CarrierEventQueue, epochKey, RedisLossWatch } from '@maskline/queues';
import { TenantNumberRepository } from '@maskline/storage';
import { auditedRetentionPurger, type PgVault } from '@maskline/vault';
import type { Tracer } from '@opentelemetry/api';
import type { DependencyContainer } from 'tsyringe';
import type { ReceiptProcessorConfig } from './config.js';
import { InboundProcessor } from './inbound/inbound-processor.js';
import { createMaskingRelay } from './inbound/masking-wiring.js';
import { OwnedNumberInbound } from './inbound/owned-number-inbound.js';
import { ReceiptProcessor } from './receipts/receipt-processor.js';
import { batchedReceiptStore } from './receipts/receipt-store.js';
import { RetentionSchedule } from './retention/retention-schedule.js';
import { CarrierEventSweeper } from './sweep/carrier-event-sweeper.js';

const LOCAL = {
  ReceiptProcessor: Symbol.for('maskline.receipts.ReceiptProcessor'),
  InboundProcessor: Symbol.for('maskline.receipts.InboundProcessor'),
  Sweeper: Symbol.for('maskline.receipts.Sweeper'),
  Retention: Symbol.for('maskline.receipts.Retention'),
  RedisLossWatch: Symbol.for('maskline.receipts.RedisLossWatch'),
} as const;

/** The receipt processor's composition root. */
export function createReceiptContainer(
  config: Readonly<ReceiptProcessorConfig>,
  tracer: Tracer,
  logger?: Logger,
): DependencyContainer {
  const c = createBaseContainer({
    service: 'maskline-receipt-processor',
    config,
    redisRole: 'worker',
    tracer,
    ...(logger ? { logger } : {}),
  });
  c.register(
    LOCAL.ReceiptProcessor,
    cached(
      (c) =>
        new ReceiptProcessor(
          batchedReceiptStore(c.resolve(TOKENS.ReceiptRepository)),
          c.resolve(TOKENS.CarrierEvents),
          tracer,
          c.resolve(TOKENS.Logger),
        ),
    ),
  );
  c.register(
    LOCAL.InboundProcessor,
    cached(
      (c) =>
        new InboundProcessor(
          c.resolve(TOKENS.InboundRepository),
          tracer,
          c.resolve(TOKENS.Logger),
          createMaskingRelay(c, config),
          new OwnedNumberInbound(
            new TenantNumberRepository(c.resolve(TOKENS.PgPool)),
            c.resolve<Vault>(TOKENS.Vault),
          ),
        ),
    ),
  );
  c.register(
    LOCAL.Sweeper,
    cached(
      (c) =>
        new CarrierEventSweeper(
          c.resolve(TOKENS.ReceiptRepository),
          c.resolve(TOKENS.InboundRepository),
          c.resolve(TOKENS.CarrierEvents),
          c.resolve(TOKENS.Logger),
          {
            afterMs: config.SWEEP_AFTER_MS,
            intervalMs: config.SWEEP_INTERVAL_MS,
            unmatchedAfterMs: config.RECEIPT_UNMATCHED_AFTER_MS,
            receiptDeadlineMs: config.MESSAGE_VALIDITY_MS + config.RECEIPT_GRACE_MS,
          },
        ),
    ),
  );
  c.register(
    LOCAL.RedisLossWatch,
    cached((c) => {
      const sweeper = c.resolve<CarrierEventSweeper>(LOCAL.Sweeper);
      const logger = c.resolve<Logger>(TOKENS.Logger);
      return new RedisLossWatch({
        connection: c.resolve<RedisClient>(TOKENS.Redis),
        key: epochKey(config.QUEUE_PREFIX, 'carrier-events'),
        intervalMs: config.REDIS_LOSS_CHECK_MS,
        onLoss: async (reason) => void (await sweeper.recoverAll(reason)),
        onError: (error) => logger.warn({ err: error }, 'carrier event recovery failed; retrying'),
      });
    }),
  );
  c.register(
    LOCAL.Retention,
    cached((c) => {
      const vault = c.resolve<PgVault>(TOKENS.Vault);
      const purger = auditedRetentionPurger(c.resolve(TOKENS.PgPool), vault, [], {
        webhookDays: config.WEBHOOK_RETENTION_DAYS,
        sandboxHours: config.SANDBOX_RETENTION_HOURS,
      });
      return new RetentionSchedule(purger, c.resolve(TOKENS.Logger), config.RETENTION_INTERVAL_MS);
    }),
  );
  return c;
}

export interface ReceiptServices {
  logger: Logger;
  events: CarrierEventQueue;
  receipts: ReceiptProcessor;
  inbound: InboundProcessor;
  sweeper: CarrierEventSweeper;
  redisLossWatch: RedisLossWatch;
  retention: RetentionSchedule;
}

export function resolveReceiptServices(c: DependencyContainer): ReceiptServices {
  return {
    logger: c.resolve(TOKENS.Logger),
    events: c.resolve(TOKENS.CarrierEvents),
    receipts: c.resolve(LOCAL.ReceiptProcessor),
    inbound: c.resolve(LOCAL.InboundProcessor),
    sweeper: c.resolve(LOCAL.Sweeper),
    redisLossWatch: c.resolve(LOCAL.RedisLossWatch),
    retention: c.resolve(LOCAL.Retention),
  };
}
