import {
  closeBaseContainer,
  onStopSignals,
  startConfiguredHealthServer,
  storeChecks,
} from '@maskline/app-runtime';
import { TOKENS } from '@maskline/core';
import { type RedisClient, withoutHashTag } from '@maskline/queues';
import type { Telemetry } from '@maskline/telemetry';
import type pg from 'pg';
import { DashboardCookies, dashboardCookieKeyOf } from './admin/dashboard-cookie.js';
import { openDashboardQueues } from './admin/dashboard-queues.js';
import { buildIngestApp } from './app.js';
import { loadIngestConfig } from './config.js';
import { createIngestContainer, resolveIngestServices } from './container.js';
import { ingestTlsOf } from './http/tls-options.js';
import { addressKeyOf } from './rate-limits/auth-failure-throttle.js';
import { keyProviderCheck } from './routes/health-routes.js';

/** Reads config, wires the container, listens, runs the reconciler; stops on SIGTERM/SIGINT. */
export async function run(telemetry: Telemetry): Promise<void> {
  const config = loadIngestConfig();
  const tls = ingestTlsOf(config);
  const container = createIngestContainer(config);
  const services = resolveIngestServices(container);
  const { logger } = services;
  if (!config.IDEMPOTENCY_KEY_SECRET) {
    logger.warn(
      { setting: 'IDEMPOTENCY_KEY_SECRET' },
      'IDEMPOTENCY_KEY_SECRET is not set: idempotency digests use a key derived from API_KEY_PEPPER; set a separate secret',
    );
  }
  const pool = container.resolve<pg.Pool>(TOKENS.PgPool);
  const redis = container.resolve<RedisClient>(TOKENS.Redis);
  const readiness = { ...storeChecks(pool, redis), keyProvider: keyProviderCheck(services.audit, logger) };
  const dashboardQueues =
    config.QUEUE_DASHBOARD === 'on'
      ? openDashboardQueues(redis, config.QUEUE_PREFIX, [
          config.DEFAULT_CARRIER,
          ...config.carriers.map((c) => c.id),
        ])
      : [];
  const app = await buildIngestApp({
    ...services,
    redis,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    tenantRateLimitPerMinute: config.RATE_LIMIT_TENANT_PER_MINUTE,
    destinationRateLimitPerMinute: config.RATE_LIMIT_DESTINATION_PER_MINUTE,
    destinationKeys: services.audit,
    authFailures: {
      limitPerMinute: config.AUTH_FAILURE_LIMIT_PER_MINUTE,
      addressKey: addressKeyOf(config.API_KEY_PEPPER),
      prefix: `${withoutHashTag(config.QUEUE_PREFIX)}-auth-fail`,
    },
    // Untagged: each tenant's counters hash by their own {tenant} tag, not all to the queues' slot.
    rateLimitPrefix: `${withoutHashTag(config.QUEUE_PREFIX)}-ratelimit`,
    trustProxy: config.TRUST_PROXY,
    ...(tls ? { tls } : {}),
    maxBodyChars: config.MAX_BODY_CHARS,
    readiness,
    ...(config.QUEUE_DASHBOARD === 'on'
      ? {
          queueDashboard: {
            queues: dashboardQueues,
            cookies: new DashboardCookies(
              dashboardCookieKeyOf(config.API_KEY_PEPPER),
              config.QUEUE_DASHBOARD_COOKIE_TTL_SECONDS * 1000,
            ),
            ...(config.QUEUE_DASHBOARD_TENANT ? { tenantId: config.QUEUE_DASHBOARD_TENANT } : {}),
          },
        }
      : {}),
  });
  // Routes load before the first request: a message is never routed from an empty table.
  await services.routeTable.start();
  services.carrierHealth.start([config.DEFAULT_CARRIER, ...config.carriers.map((c) => c.id)]);
  const address = await app.listen({ host: config.HOST, port: config.PORT });
  services.reconciler.start();
  // Re-enqueue what a crash left without a job, then watch for Redis losing its data.
  services.redisLossWatch.startWithRecovery();
  // Metrics on their own port (METRICS_PORT), never on the public API's.
  const metricsServer = await startConfiguredHealthServer(
    { HEALTH_PORT: config.METRICS_PORT, HEALTH_HOST: config.METRICS_HOST },
    readiness,
    logger,
    telemetry.metrics,
  );
  logger.info({ address, tls: tls ? (tls.clientCa ? 'mutual' : 'server') : 'off' }, 'ingest listening');

  onStopSignals({
    name: 'ingest',
    logger,
    deadlineMs: config.SHUTDOWN_TIMEOUT_MS,
    stop: async () => {
      await app.close();
      // The last requests' rows are durable; their deliver jobs are added before Redis closes.
      await services.acceptMessage.drain();
      await metricsServer?.close();
      services.routeTable.stop();
      services.carrierHealth.stop();
      await services.reconciler.stop();
      await services.redisLossWatch.stop();
      await services.queues.close();
      await Promise.all(dashboardQueues.map((q) => q.close()));
      await closeBaseContainer(container);
      await telemetry.shutdown().catch(() => {});
    },
  });
}
