import {
  closeBaseContainer,
  observeQueues,
  onStopSignals,
  startConfiguredHealthServer,
  storeChecks,
} from '@maskline/app-runtime';
import { type Clock, type Logger, TOKENS } from '@maskline/core';
import type { CarrierEventQueue, RedisClient } from '@maskline/queues';
import type { StatusWebhooks } from '@maskline/storage';
import type { Telemetry } from '@maskline/telemetry';
import { WebhookProducer } from '@maskline/webhooks';
import type pg from 'pg';
import { CallbackHandler } from './callbacks/callback-handler.js';
import { type CallbackServer, startCallbackServer } from './callbacks/callback-server.js';
import { callbackBaseUrl, loadDeliveryWorkerConfig } from './config.js';
import { createDeliveryContainer, resolveRouting, resolveRuntimes } from './container.js';

/** Starts every configured carrier and its worker; drains and stops on SIGTERM/SIGINT. */
export async function run(telemetry: Telemetry): Promise<void> {
  const config = loadDeliveryWorkerConfig();
  const container = createDeliveryContainer(config, telemetry.tracer);
  const logger = container.resolve<Logger>(TOKENS.Logger);
  const runtimes = resolveRuntimes(container);
  // message.status deliveries of the submitted and final-failure statements: one webhooks
  // job per statement, added right after its commit (the dispatcher's sweep is the fallback).
  const webhooks = new WebhookProducer(
    container.resolve<RedisClient>(TOKENS.Redis),
    config.QUEUE_PREFIX,
    config.WEBHOOK_BATCH_SIZE,
  );
  container
    .resolve<StatusWebhooks>(TOKENS.StatusWebhooks)
    .handOffTo(webhooks.handoff(config.WEBHOOK_LEASE_MS, logger));
  // Carriers' HTTP callbacks are served before (and regardless of) their plugins' start:
  // verifying, parsing and storing a receipt needs no connected plugin.
  const baseUrl = callbackBaseUrl(config);
  let callbacks: CallbackServer | null = null;
  if (config.CARRIER_CALLBACK_PORT !== undefined && baseUrl !== undefined) {
    callbacks = await startCallbackServer({
      host: config.CARRIER_CALLBACK_HOST,
      port: config.CARRIER_CALLBACK_PORT,
      baseUrl,
      bodyLimit: config.CARRIER_CALLBACK_BODY_LIMIT,
      callbacks: runtimes.flatMap((r) =>
        r.callbackRoutes.map((route) => ({ carrierId: r.settings.id, route, events: r.events })),
      ),
      handler: new CallbackHandler({
        replayWindowMs: config.CARRIER_CALLBACK_REPLAY_WINDOW_MS,
        clock: container.resolve<Clock>(TOKENS.Clock),
        logger,
      }),
      logger,
      carriers: () => runtimes.map((r) => ({ id: r.settings.id, health: r.health() })),
    });
  }
  // Every carrier tries to start at once; one that cannot is retried in the background
  // (and logged) while the others work. No carrier's failure stops the process.
  // Routes and shared carrier health for failover; a failed first load is retried.
  const routing = resolveRouting(container);
  routing.health.start(config.carriers.map((carrier) => carrier.id));
  await routing.table
    .start()
    .catch((error: unknown) => logger.warn({ err: error }, 'routes not loaded yet; retrying'));
  await Promise.all(runtimes.map((runtime) => runtime.start()));

  const health = await startConfiguredHealthServer(
    config,
    {
      ...storeChecks(container.resolve<pg.Pool>(TOKENS.PgPool), container.resolve<RedisClient>(TOKENS.Redis)),
      // Ready while at least one carrier can take messages (the others' jobs fail over or
      // wait) or is on standby (other processes hold its binds); each carrier's own state
      // is on the callback host's /health.
      carriers: async () => {
        const usable = (h: { status: string; standby?: boolean }) =>
          h.status !== 'down' || h.standby === true;
        if (!runtimes.some((r) => usable(r.health()))) throw new Error('no carrier up');
      },
    },
    logger,
    telemetry.metrics,
  );

  // Depth and oldest job of this worker's carriers' queues, read on a scrape.
  const unobserve = telemetry.metrics
    ? observeQueues(runtimes.map((r) => routing.queues.queueFor(r.settings.id)))
    : () => {};

  logger.info(
    { carriers: runtimes.map((r) => ({ id: r.settings.id, health: r.health().status })) },
    'delivery worker running',
  );

  onStopSignals({
    name: 'delivery worker',
    logger,
    deadlineMs: config.SHUTDOWN_TIMEOUT_MS,
    stop: async () => {
      unobserve();
      await callbacks?.close();
      await Promise.all(runtimes.map((r) => r.stop()));
      routing.table.stop();
      routing.health.stop();
      await routing.queues.close();
      await container.resolve<CarrierEventQueue>(TOKENS.CarrierEvents).close();
      await webhooks.close();
      await health?.close();
      await closeBaseContainer(container);
      await telemetry.shutdown().catch(() => {});
    },
  });
}
