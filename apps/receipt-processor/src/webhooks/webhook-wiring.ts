import { type Logger, TOKENS, type Vault } from '@maskline/core';
import type { JobLockConfig, RedisClient } from '@maskline/queues';
import type { InboundRepository, StatusWebhooks } from '@maskline/storage';
import {
  DeliveryBatch,
  DeliveryStore,
  EndpointStore,
  type WebhookConfig,
  WebhookDispatcher,
  webhookTargetPolicy,
} from '@maskline/webhooks';
import type pg from 'pg';
import type { DependencyContainer } from 'tsyringe';

/**
 * Starts the webhook dispatcher in this process: the `webhooks` queue's worker and the
 * sweep that claims due deliveries (new events, retries, lost jobs), and hands the
 * message.status deliveries of this process's statements to its queue. Returns its stop.
 */
export function startWebhookDispatcher(
  c: DependencyContainer,
  config: Readonly<WebhookConfig & JobLockConfig & { QUEUE_PREFIX: string }>,
): () => Promise<void> {
  const pool = c.resolve<pg.Pool>(TOKENS.PgPool);
  const logger = c.resolve<Logger>(TOKENS.Logger);
  const deliveries = new DeliveryStore(pool);
  const batch = new DeliveryBatch(
    deliveries,
    new EndpointStore(pool),
    c.resolve<Vault>(TOKENS.Vault),
    {
      policy: webhookTargetPolicy(config),
      retry: {
        baseMs: config.WEBHOOK_RETRY_BASE_MS,
        capMs: config.WEBHOOK_RETRY_CAP_MS,
        retryForMs: config.WEBHOOK_RETRY_FOR_MS,
      },
      disableAfterMs: config.WEBHOOK_DISABLE_AFTER_MS,
    },
    logger,
    // inbound.received to an endpoint with includeInboundBody: the body, opened at send time.
    {
      bodyOf: async (id) =>
        (await c.resolve<InboundRepository>(TOKENS.InboundRepository).load(id))?.body ?? null,
    },
  );
  const redis = c.resolve<RedisClient>(TOKENS.Redis);
  const dispatcher = new WebhookDispatcher(
    deliveries,
    batch,
    {
      producer: redis,
      worker: redis,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WEBHOOK_CONCURRENCY,
      batchSize: config.WEBHOOK_BATCH_SIZE,
      sweepIntervalMs: config.WEBHOOK_SWEEP_MS,
      leaseMs: config.WEBHOOK_LEASE_MS,
      jobLock: config,
    },
    logger,
  );
  // message.status deliveries of this process's receipt and expiry statements: enqueued
  // right after their commit (the sweep is the fallback).
  c.resolve<StatusWebhooks>(TOKENS.StatusWebhooks).handOffTo(
    dispatcher.producer.handoff(config.WEBHOOK_LEASE_MS, logger),
  );
  dispatcher.start();
  return () => dispatcher.stop();
}
