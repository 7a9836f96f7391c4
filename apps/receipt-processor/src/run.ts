import {
  closeBaseContainer,
  observeQueues,
  onStopSignals,
  startConfiguredHealthServer,
  storeChecks,
} from '@maskline/app-runtime';
import { TOKENS } from '@maskline/core';
import { MASKING_EXPIRY_QUEUE, MaskingStore, observePool } from '@maskline/masking';
import type { RedisClient } from '@maskline/queues';
import { CARRIER_EVENTS_QUEUE } from '@maskline/queues';
import type { Telemetry } from '@maskline/telemetry';
import { WEBHOOKS_QUEUE } from '@maskline/webhooks';
import { Queue } from 'bullmq';
import type pg from 'pg';
import { createCarrierEventsWorker } from './carrier-events-worker.js';
import { loadReceiptProcessorConfig } from './config.js';
import { createReceiptContainer, resolveReceiptServices } from './container.js';
import { startMaskingExpiry } from './inbound/masking-wiring.js';
import { startWebhookDispatcher } from './webhooks/webhook-wiring.js';

/** The queues this process consumes, opened to read their depth on a scrape. */
function observedQueues(connection: RedisClient, prefix: string): Queue[] {
  return [CARRIER_EVENTS_QUEUE, WEBHOOKS_QUEUE, MASKING_EXPIRY_QUEUE].map(
    (name) => new Queue(name, { connection, prefix }),
  );
}

/** Consumes the carrier-events queue (receipts, inbound) and runs the sweep. */
export async function run(telemetry: Telemetry): Promise<void> {
  const config = loadReceiptProcessorConfig();
  const container = createReceiptContainer(config, telemetry.tracer);
  const services = resolveReceiptServices(container);
  const { logger } = services;

  const worker = createCarrierEventsWorker({
    connection: container.resolve<RedisClient>(TOKENS.Redis),
    prefix: config.QUEUE_PREFIX,
    concurrency: config.CONCURRENCY,
    receipts: services.receipts,
    inbound: services.inbound,
    recovery: config,
  });
  worker.on('error', (error) => logger.warn({ err: error }, 'worker error'));
  services.sweeper.start();
  // Re-enqueue unprocessed events at start, then whenever Redis comes back empty.
  services.redisLossWatch.startWithRecovery();
  services.retention.start();
  const stopMaskingExpiry = startMaskingExpiry(container, config);
  const stopWebhooks = startWebhookDispatcher(container, config);

  const health = await startConfiguredHealthServer(
    config,
    storeChecks(container.resolve<pg.Pool>(TOKENS.PgPool), container.resolve<RedisClient>(TOKENS.Redis)),
    logger,
    telemetry.metrics,
  );

  const observed = telemetry.metrics
    ? observedQueues(container.resolve<RedisClient>(TOKENS.Redis), config.QUEUE_PREFIX)
    : [];
  const unobserveQueues = observeQueues(observed);
  // The number pool by country, carrier and state: observed here, once for the deployment's
  // receipt processors (each reports the same totals; dashboards take max, not sum).
  const unobservePool = telemetry.metrics
    ? observePool(new MaskingStore(container.resolve<pg.Pool>(TOKENS.PgPool)).numbers)
    : () => {};

  logger.info({ concurrency: config.CONCURRENCY }, 'receipt processor running');

  onStopSignals({
    name: 'receipt processor',
    logger,
    deadlineMs: config.SHUTDOWN_TIMEOUT_MS,
    stop: async () => {
      unobserveQueues();
      unobservePool();
      await Promise.all(observed.map((q) => q.close()));
      await services.redisLossWatch.stop();
      await services.sweeper.stop();
      await services.retention.stop();
      await stopMaskingExpiry();
      await stopWebhooks();
      await worker.close();
      await services.events.close();
      await health?.close();
      await closeBaseContainer(container);
      await telemetry.shutdown().catch(() => {});
    },
  });
}
