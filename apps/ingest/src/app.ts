import rateLimit from '@fastify/rate-limit';
import { type AuditRecorder, type DependencyHealth, type Logger, MasklineError } from '@maskline/core';
import type { MessageRepository, RevealGrantRepository } from '@maskline/storage';
import { withRequestTraceContext } from '@maskline/telemetry';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { type ApiKeyRoutesDeps, apiKeyRoutes } from './api-keys/api-key-routes.js';
import { apiKeyAuth } from './auth/api-key-auth.js';
import type { ApiKeyAuthenticator } from './auth/api-key-cache.js';
import { requireRouteScopes } from './auth/route-scopes.js';
import { frameworkErrors, installErrorHandling } from './http/error-handler.js';
import { installStrictJsonParser } from './http/json-body.js';
import { installRequestId, requestIdOf } from './http/request-id.js';
import type { ServerTiming } from './http/server-timing.js';
import { type MaskingRoutesDeps, maskingRoutes } from './masking/masking-routes.js';
import type { AcceptMessage } from './messages/accept-message.js';
import type { StatusCallbacks } from './messages/status-callbacks.js';
import { type NumberRoutesDeps, numberRoutes } from './numbers/number-routes.js';
import { revealRoutes } from './reveal/reveal-routes.js';
import { healthRoutes, type ReadinessCheck } from './routes/health-routes.js';
import { messageRoutes } from './routes/message-routes.js';
import { type RoutingRoutesDeps, routingRoutes } from './routing/routing-routes.js';
import { type VerificationRoutesDeps, verificationRoutes } from './verifications/verification-routes.js';
import { type WebhookRoutesDeps, webhookRoutes } from './webhooks/webhook-routes.js';

export interface IngestAppDeps {
  logger: Logger;
  apiKeys: ApiKeyAuthenticator;
  messages: MessageRepository;
  acceptMessage: AcceptMessage;
  revealGrants: RevealGrantRepository;
  audit: AuditRecorder;
  redis: Redis;
  rateLimitPerMinute: number;
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
}

/** Builds the ingest HTTP app from its dependencies. main.ts listens; tests inject. */
export async function buildIngestApp(deps: IngestAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    genReqId: requestIdOf,
    requestIdHeader: false,
    return503OnClosing: true,
    frameworkErrors,
  });
  installRequestId(app);
  installErrorHandling(app, deps.logger, deps.health);
  deps.serverTiming?.install(app);
  // Handlers run in the request's trace context (its server span when an exporter is on,
  // else a non-recording one continuing its traceparent header): jobs and rows carry it.
  app.addHook('preHandler', (request, _reply, done) => withRequestTraceContext(request.headers, done));
  // The API speaks JSON only: anything else is 415 unsupported_media_type.
  app.removeContentTypeParser('text/plain');
  installStrictJsonParser(app);
  await app.register(healthRoutes, deps.readiness);

  await app.register(async (api) => {
    const auth = apiKeyAuth(deps.apiKeys);
    api.addHook('onRequest', deps.serverTiming ? deps.serverTiming.timeAuth(auth) : auth);
    await api.register(rateLimit, {
      hook: 'preHandler',
      max: deps.rateLimitPerMinute,
      timeWindow: 60_000,
      redis: deps.redis,
      nameSpace: 'ml-ratelimit-',
      keyGenerator: (request) => request.apiKeyId ?? request.ip,
      skipOnError: true,
      errorResponseBuilder: (_request, context) => {
        const error = new MasklineError('rate_limited', { retryAfterMs: context.ttl });
        return Object.assign(error, { statusCode: 429 });
      },
    });
    deps.serverTiming?.installAroundRateLimit(api);
    requireRouteScopes(api);
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
    await api.register(revealRoutes, {
      messages: deps.messages,
      grants: deps.revealGrants,
      audit: deps.audit,
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
