import type { AuditRecorder, DependencyHealth, Logger } from '@maskline/core';
import type { RedisClient } from '@maskline/queues';
import type { MessageRepository, RevealGrantRepository, RevealPolicyRepository } from '@maskline/storage';
import { setHttpRoute, withRequestTraceContext } from '@maskline/telemetry';
import Fastify, { type FastifyInstance } from 'fastify';
import { type QueueDashboardDeps, queueDashboardRoutes } from './admin/queue-dashboard.js';
import { type AnomalyDetectors, LISTING_ROUTES } from './anomalies/anomaly-detectors.js';
import { type ApiKeyRoutesDeps, apiKeyRoutes } from './api-keys/api-key-routes.js';
import { apiKeyAuth } from './auth/api-key-auth.js';
import type { ApiKeyAuthenticator } from './auth/api-key-cache.js';
import { requireRouteScopes, requireV1RoutesListed } from './auth/route-scopes.js';
import type { TrustProxy } from './config.js';
import { frameworkErrors, installErrorHandling } from './http/error-handler.js';
import { installStrictJsonParser } from './http/json-body.js';
import { installRequestId, requestIdOf } from './http/request-id.js';
import { installRequestMetrics } from './http/request-metrics.js';
import type { ServerTiming } from './http/server-timing.js';
import { type IngestTls, refuseUnverifiedClientCertificates } from './http/tls-options.js';
import { type MaskingRoutesDeps, maskingRoutes } from './masking/masking-routes.js';
import type { AcceptMessage } from './messages/accept-message.js';
import type { StatusCallbacks } from './messages/status-callbacks.js';
import { type NumberRoutesDeps, numberRoutes } from './numbers/number-routes.js';
import { openApiRoutes } from './openapi/openapi-routes.js';
import { AuthFailureThrottle } from './rate-limits/auth-failure-throttle.js';
import { DestinationPartition, type TenantKeySource } from './rate-limits/destination-partition.js';
import { LimiterState } from './rate-limits/limiter-state.js';
import { installRequestLimits, throttleAuthFailures } from './rate-limits/rate-limit-hooks.js';
import { RequestLimits } from './rate-limits/request-limits.js';
import { revealGrantRoutes } from './reveal/reveal-grant-routes.js';
import { RevealGrantService } from './reveal/reveal-grant-service.js';
import { revealRoutes } from './reveal/reveal-routes.js';
import { healthRoutes, type ReadinessCheck } from './routes/health-routes.js';
import { messageRoutes } from './routes/message-routes.js';
import { type RoutingRoutesDeps, routingRoutes } from './routing/routing-routes.js';
import { authRoutes } from './users/auth-routes.js';
import { type UserRoutesDeps, userRoutes } from './users/user-routes.js';
import type { UserService } from './users/user-service.js';
import { type VerificationRoutesDeps, verificationRoutes } from './verifications/verification-routes.js';
import { type WebhookRoutesDeps, webhookRoutes } from './webhooks/webhook-routes.js';

export interface IngestAppDeps {
  logger: Logger;
  apiKeys: ApiKeyAuthenticator;
  messages: MessageRepository;
  acceptMessage: AcceptMessage;
  revealGrants: RevealGrantRepository;
  /** The four-eyes policies; absent: no /v1/reveal-grants routes (grants by the vault CLI only). */
  revealPolicies?: RevealPolicyRepository;
  audit: AuditRecorder;
  redis: RedisClient;
  /** RATE_LIMIT_PER_MINUTE: requests per API key per minute, across replicas (Redis). */
  rateLimitPerMinute: number;
  /** RATE_LIMIT_TENANT_PER_MINUTE / RATE_LIMIT_DESTINATION_PER_MINUTE (absent or 0: not limited). */
  tenantRateLimitPerMinute?: number;
  destinationRateLimitPerMinute?: number;
  /** The tenants' vault keys, which destination counters are named with (needed for the destination limit). */
  destinationKeys?: TenantKeySource;
  /** Authentication failures per client address per minute before 429 auth_rate_limited (absent: not throttled). */
  authFailures?: { limitPerMinute: number; addressKey: Buffer; prefix?: string };
  /** Fastify's trustProxy (TRUST_PROXY): whether request.ip comes from X-Forwarded-For. Default off. */
  trustProxy?: TrustProxy;
  /** HTTPS, and mutual TLS with a client CA (TLS_* settings, http/tls-options.ts); absent: plain HTTP. */
  tls?: IngestTls;
  /** Redis key prefix of the request limit counters (default ml-ratelimit). */
  rateLimitPrefix?: string;
  maxBodyChars: number;
  readiness: Record<string, ReadinessCheck>;
  /** Classifies PostgreSQL/Redis outages: 503 with Retry-After, logged once per state change. */
  health?: DependencyHealth;
  /** The masking API (/v1/masking/...); left out when absent. */
  masking?: MaskingRoutesDeps;
  /** INGEST_SERVER_TIMING=1: a Server-Timing header on every answer (stage durations only). */
  serverTiming?: ServerTiming;
  /** The webhook API (/v1/webhooks/...); left out when absent. */
  webhooks?: WebhookRoutesDeps;
  /** The routing API (/v1/routes, /v1/carrier-prices, /v1/routing/...); left out when absent. */
  routing?: RoutingRoutesDeps;
  /** Resolves POST /v1/messages' statusCallback (absent: none is registered). */
  statusCallbacks?: StatusCallbacks;
  /** The tenant's own numbers (/v1/numbers); left out when absent. */
  numbers?: NumberRoutesDeps;
  /** The tenant's own API keys (/v1/api-keys); left out when absent. */
  apiKeyAdmin?: ApiKeyRoutesDeps;
  /** The verification API (/v1/verifications); left out when absent (no VERIFICATION_CODE_SECRET). */
  verifications?: VerificationRoutesDeps;
  /** Users, sign-in and the audit log (/v1/users, /v1/auth/..., /v1/audit-events); left out when absent. */
  users?: { service: UserService; auditLog: UserRoutesDeps['auditLog'] };
  /** QUEUE_DASHBOARD=on: Bull Board on /admin/queues for owners and admins (needs `users`). */
  queueDashboard?: Omit<QueueDashboardDeps, 'sessions' | 'throttle'>;
  /** The anomaly detectors (reveal bursts, mass listing, auth failures); absent: none run. */
  anomalies?: AnomalyDetectors;
}

/** Builds the ingest HTTP app from its dependencies. main.ts listens; tests inject. */
export async function buildIngestApp(deps: IngestAppDeps): Promise<FastifyInstance> {
  const options = {
    logger: false,
    bodyLimit: 64 * 1024,
    genReqId: requestIdOf,
    requestIdHeader: false,
    return503OnClosing: true,
    frameworkErrors,
    trustProxy: deps.trustProxy ?? false,
  } as const;
  // Over HTTPS the server is node's https.Server; requests and replies are the same
  // IncomingMessage/ServerResponse, so the app is typed as the HTTP one it otherwise is.
  const app = deps.tls
    ? (Fastify({ ...options, https: deps.tls.options }) as unknown as FastifyInstance)
    : Fastify(options);
  installRequestId(app);
  if (deps.tls?.clientCa) refuseUnverifiedClientCertificates(app);
  installErrorHandling(app, deps.logger, deps.health);
  deps.serverTiming?.install(app);
  installRequestMetrics(app);
  // The HTTP server span is named by its route template (`GET /v1/messages/:id`, http.route).
  app.addHook('onRequest', (request, _reply, done) => {
    setHttpRoute(request.routeOptions.url);
    done();
  });
  // Handlers run in the request's trace context (its server span when an exporter is on,
  // else a non-recording one continuing its traceparent header): jobs and rows carry it.
  app.addHook('preHandler', (request, _reply, done) => withRequestTraceContext(request.headers, done));
  // The API speaks JSON only: anything else is 415 unsupported_media_type.
  app.removeContentTypeParser('text/plain');
  installStrictJsonParser(app);
  await app.register(healthRoutes, deps.readiness);
  requireV1RoutesListed(app);
  await app.register(openApiRoutes);

  const limiterState = new LimiterState(deps.logger);
  const anomalies = deps.anomalies;
  const throttle = deps.authFailures
    ? new AuthFailureThrottle(
        deps.redis,
        deps.authFailures.addressKey,
        deps.authFailures.limitPerMinute,
        limiterState,
        {
          ...(deps.authFailures.prefix ? { prefix: deps.authFailures.prefix } : {}),
          ...(anomalies ? { onFailure: (id: string) => anomalies.authFailed(id) } : {}),
        },
      )
    : undefined;
  // Sign-in needs no key: outside the authenticated scope, throttled per address like keys.
  if (deps.users) {
    await app.register(authRoutes, { users: deps.users.service, ...(throttle ? { throttle } : {}) });
    if (deps.queueDashboard) {
      await app.register(queueDashboardRoutes, {
        ...deps.queueDashboard,
        sessions: deps.users.service,
        ...(throttle ? { throttle } : {}),
      });
    }
  }

  await app.register(async (api) => {
    const keyAuth = apiKeyAuth(deps.apiKeys, deps.users?.service);
    const auth = throttle ? throttleAuthFailures(keyAuth, throttle) : keyAuth;
    api.addHook('onRequest', deps.serverTiming ? deps.serverTiming.timeAuth(auth) : auth);
    deps.serverTiming?.installAroundRateLimit(api);
    installRequestLimits(api, {
      limits: new RequestLimits(deps.redis, deps.rateLimitPrefix),
      state: limiterState,
      settings: {
        perKeyPerMinute: deps.rateLimitPerMinute,
        perTenantPerMinute: deps.tenantRateLimitPerMinute ?? 0,
        perDestinationPerMinute: deps.destinationRateLimitPerMinute ?? 0,
      },
      ...(deps.destinationKeys ? { destinations: new DestinationPartition(deps.destinationKeys) } : {}),
    });
    requireRouteScopes(api);
    if (anomalies) {
      // Pages of the list routes, counted per principal after the answer went out.
      api.addHook('onResponse', async (request, reply) => {
        if (reply.statusCode !== 200 || !request.tenantId || !request.principal) return;
        if (!LISTING_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) return;
        await anomalies.listed(request.tenantId, request.principal);
      });
    }
    await api.register(messageRoutes, {
      acceptMessage: deps.acceptMessage,
      messages: deps.messages,
      maxBodyChars: deps.maxBodyChars,
      audit: deps.audit,
      ...(deps.statusCallbacks ? { statusCallbacks: deps.statusCallbacks } : {}),
    });
    if (deps.masking) await api.register(maskingRoutes, deps.masking);
    if (deps.webhooks) await api.register(webhookRoutes, deps.webhooks);
    if (deps.numbers) await api.register(numberRoutes, deps.numbers);
    if (deps.routing) await api.register(routingRoutes, deps.routing);
    if (deps.apiKeyAdmin) await api.register(apiKeyRoutes, deps.apiKeyAdmin);
    if (deps.verifications) await api.register(verificationRoutes, deps.verifications);
    if (deps.users)
      await api.register(userRoutes, { users: deps.users.service, auditLog: deps.users.auditLog });
    await api.register(revealRoutes, {
      messages: deps.messages,
      grants: deps.revealGrants,
      audit: deps.audit,
      ...(anomalies ? { anomalies } : {}),
    });
    if (deps.revealPolicies)
      await api.register(revealGrantRoutes, {
        revealGrants: new RevealGrantService(deps.revealGrants, deps.revealPolicies, deps.audit),
      });
  });

  app.addHook('onResponse', async (request, reply) => {
    deps.logger.debug(
      {
        reqId: request.id,
        method: request.method,
        route: request.routeOptions.url,
        status: reply.statusCode,
      },
      'request',
    );
  });
  return app;
}
