import { cached, createBaseContainer, HEALTH_TOKENS } from '@maskline/app-runtime';
import { type DependencyHealth, type Logger, TOKENS } from '@maskline/core';
import {
  CarrierHealthBoard,
  CarrierHealthCache,
  DeliveryQueues,
  epochKey,
  type RedisClient,
  RedisLossWatch,
  withoutHashTag,
} from '@maskline/queues';
import { MessageRouter, RouteTable } from '@maskline/routing';
import {
  ApiKeyRepository,
  type MessageRepository,
  RevealGrantRepository,
  RevealPolicyRepository,
  RoutingRepository,
  SecurityAlertRepository,
  TenantNumberRepository,
  UserRepository,
  VerificationBlockRepository,
  VerificationLimitRepository,
  VerificationRepository,
} from '@maskline/storage';
import type { PgVault } from '@maskline/vault';
import { RESEND_COOLDOWN_MS } from '@maskline/verification';
import type { DependencyContainer } from 'tsyringe';
import { anomalySettingsOf } from './anomalies/anomaly-config.js';
import { AnomalyDetectors } from './anomalies/anomaly-detectors.js';
import { SecurityAlerts } from './anomalies/security-alerts.js';
import type { ApiKeyRoutesDeps } from './api-keys/api-key-routes.js';
import { CachedApiKeyAuthenticator } from './auth/api-key-cache.js';
import type { IngestConfig } from './config.js';
import { ServerTiming } from './http/server-timing.js';
import { IDEMPOTENCY_DIGESTS, RequestDigests } from './idempotency/request-digests.js';
import { MASKING_TOKENS, registerMasking } from './masking/masking-container.js';
import type { MaskingRoutesDeps } from './masking/masking-routes.js';
import { AcceptMessage } from './messages/accept-message.js';
import type { StatusCallbacks } from './messages/status-callbacks.js';
import type { NumberRoutesDeps } from './numbers/number-routes.js';
import { Reconciler } from './outbox/reconciler.js';
import type { RoutingRoutesDeps } from './routing/routing-routes.js';
import { CredentialDigests } from './users/credentials.js';
import { DEFAULT_USER_SETTINGS, UserService } from './users/user-service.js';
import { PumpingGuard } from './verifications/pumping-guard.js';
import { TenantVerificationLimits } from './verifications/tenant-verification-limits.js';
import { VerificationBlocks } from './verifications/verification-blocks.js';
import { pumpingThresholdsOf } from './verifications/verification-config.js';
import { VerificationLimits } from './verifications/verification-limits.js';
import type { VerificationRoutesDeps } from './verifications/verification-routes.js';
import { VerificationService } from './verifications/verification-service.js';
import { VerificationSessions } from './verifications/verification-sessions.js';
import type { WebhookRoutesDeps } from './webhooks/webhook-routes.js';
import { registerWebhooks, WEBHOOK_TOKENS } from './webhooks/webhooks-container.js';

const LOCAL = {
  Users: Symbol.for('maskline.ingest.Users'),
  AcceptMessage: Symbol.for('maskline.ingest.AcceptMessage'),
  ServerTiming: Symbol.for('maskline.ingest.ServerTiming'),
  RedisLossWatch: Symbol.for('maskline.ingest.RedisLossWatch'),
  Reconciler: Symbol.for('maskline.ingest.Reconciler'),
  RevealGrants: Symbol.for('maskline.ingest.RevealGrants'),
  RoutingRepository: Symbol.for('maskline.ingest.RoutingRepository'),
  RouteTable: Symbol.for('maskline.ingest.RouteTable'),
  MessageRouter: Symbol.for('maskline.ingest.MessageRouter'),
  CarrierHealth: Symbol.for('maskline.ingest.CarrierHealth'),
  RoutingRoutes: Symbol.for('maskline.ingest.RoutingRoutes'),
  ApiKeyStore: Symbol.for('maskline.ingest.ApiKeyStore'),
  VerificationRoutes: Symbol.for('maskline.ingest.VerificationRoutes'),
  Anomalies: Symbol.for('maskline.ingest.Anomalies'),
} as const;

/** The ingest composition root: the one place that knows which class implements what. */
export function createIngestContainer(config: Readonly<IngestConfig>, logger?: Logger): DependencyContainer {
  const c = createBaseContainer({
    service: 'maskline-ingest',
    config,
    redisRole: 'producer',
    ...(logger ? { logger } : {}),
  });
  c.register(
    LOCAL.ApiKeyStore,
    cached((c) => new ApiKeyRepository(c.resolve(TOKENS.PgPool), config.API_KEY_PEPPER)),
  );
  c.register(
    TOKENS.ApiKeyRepository,
    cached(
      (c) =>
        new CachedApiKeyAuthenticator(
          c.resolve(LOCAL.ApiKeyStore),
          c.resolve(TOKENS.Clock),
          config.API_KEY_CACHE_TTL_MS,
          undefined,
          c.resolve(TOKENS.Logger),
        ),
    ),
  );
  c.register(
    TOKENS.Queues,
    cached(
      (c) =>
        new DeliveryQueues({
          connection: c.resolve<RedisClient>(TOKENS.Redis),
          prefix: config.QUEUE_PREFIX,
          monitor: c.resolve(HEALTH_TOKENS.Redis),
        }),
    ),
  );
  c.register(
    LOCAL.RoutingRepository,
    cached((c) => new RoutingRepository(c.resolve(TOKENS.PgPool))),
  );
  c.register(
    LOCAL.RouteTable,
    cached(
      (c) =>
        new RouteTable(
          c.resolve(LOCAL.RoutingRepository),
          c.resolve(TOKENS.Logger),
          config.ROUTES_REFRESH_MS,
        ),
    ),
  );
  c.register(
    LOCAL.CarrierHealth,
    cached(
      (c) =>
        new CarrierHealthCache(
          new CarrierHealthBoard(c.resolve<RedisClient>(TOKENS.Redis), config.QUEUE_PREFIX),
        ),
    ),
  );
  c.register(
    LOCAL.MessageRouter,
    cached((c) => {
      // Shared health (a carrier that is down takes no new messages) and the capabilities
      // its workers publish with it (unknown until a worker reported: taken as capable).
      const health = c.resolve<CarrierHealthCache>(LOCAL.CarrierHealth);
      return new MessageRouter(
        c.resolve(LOCAL.RouteTable),
        config.carriers,
        config.DEFAULT_CARRIER,
        health,
        health,
      );
    }),
  );
  c.register(
    LOCAL.RoutingRoutes,
    cached(
      (c): RoutingRoutesDeps => ({
        repository: c.resolve(LOCAL.RoutingRepository),
        table: c.resolve(LOCAL.RouteTable),
        carriers: new Set(config.carriers.map((carrier) => carrier.id)),
        audit: c.resolve(TOKENS.Vault),
      }),
    ),
  );
  c.register(
    IDEMPOTENCY_DIGESTS,
    cached(() => RequestDigests.fromConfig(config)),
  );
  c.register(
    LOCAL.Anomalies,
    cached(
      (c) =>
        new AnomalyDetectors(
          c.resolve<RedisClient>(TOKENS.Redis),
          new SecurityAlerts(new SecurityAlertRepository(c.resolve(TOKENS.PgPool)), c.resolve(TOKENS.Logger)),
          anomalySettingsOf(config),
          c.resolve(TOKENS.Logger),
          `${withoutHashTag(config.QUEUE_PREFIX)}-anomaly`,
        ),
    ),
  );
  if (config.INGEST_SERVER_TIMING) c.register(LOCAL.ServerTiming, { useValue: new ServerTiming() });
  c.register(
    LOCAL.AcceptMessage,
    cached((c) => {
      // With Server-Timing on, the group commit notes its times.
      const timing = serverTimingOf(c);
      const messages = c.resolve<MessageRepository>(TOKENS.MessageRepository);
      const queues = c.resolve<DeliveryQueues>(TOKENS.Queues);
      return new AcceptMessage(
        timing ? timing.timeInserts(messages) : messages,
        queues,
        c.resolve(TOKENS.Logger),
        c.resolve(IDEMPOTENCY_DIGESTS),
        c.resolve(LOCAL.MessageRouter),
        c.resolve(HEALTH_TOKENS.Dependencies),
        undefined,
        config.sandboxCarrier,
        c.resolve(LOCAL.Anomalies),
        config.DELIVER_JOB_WINDOW_MS,
      );
    }),
  );
  c.register(
    LOCAL.Reconciler,
    cached(
      (c) =>
        new Reconciler(
          c.resolve(TOKENS.MessageRepository),
          c.resolve(TOKENS.Queues),
          c.resolve(TOKENS.Logger),
          {
            afterMs: config.RECONCILE_AFTER_MS,
            intervalMs: config.RECONCILE_INTERVAL_MS,
          },
          c.resolve(HEALTH_TOKENS.Dependencies),
        ),
    ),
  );
  c.register(
    LOCAL.RedisLossWatch,
    cached((c) => {
      const reconciler = c.resolve<Reconciler>(LOCAL.Reconciler);
      const logger = c.resolve<Logger>(TOKENS.Logger);
      const health = c.resolve<DependencyHealth>(HEALTH_TOKENS.Dependencies);
      return new RedisLossWatch({
        connection: c.resolve<RedisClient>(TOKENS.Redis),
        key: epochKey(config.QUEUE_PREFIX, 'deliver'),
        intervalMs: config.REDIS_LOSS_CHECK_MS,
        onLoss: async (reason) => void (await reconciler.recoverAll(reason)),
        onError: (error) =>
          health.logUnlessUnavailable(logger, error, {}, 'outbox recovery failed; retrying'),
      });
    }),
  );
  c.register(
    LOCAL.RevealGrants,
    cached((c) => new RevealGrantRepository(c.resolve(TOKENS.PgPool))),
  );
  c.register(
    LOCAL.Users,
    cached((c) => {
      const vault = c.resolve<PgVault>(TOKENS.Vault);
      return {
        service: new UserService(
          new UserRepository(c.resolve(TOKENS.PgPool)),
          new CredentialDigests(config.API_KEY_PEPPER),
          vault,
          vault,
          { ...DEFAULT_USER_SETTINGS, sessionTtlSeconds: config.USER_SESSION_TTL_SECONDS },
        ),
        auditLog: vault.audit,
      };
    }),
  );
  registerVerifications(c, config);
  registerMasking(c, config);
  registerWebhooks(c, config);
  return c;
}

/** The verification API, only with a VERIFICATION_CODE_SECRET (else /v1/verifications is 404). */
function registerVerifications(c: DependencyContainer, config: Readonly<IngestConfig>): void {
  const secret = config.VERIFICATION_CODE_SECRET;
  if (!secret) return;
  c.register(
    LOCAL.VerificationRoutes,
    cached((c): VerificationRoutesDeps => {
      const vault = c.resolve<PgVault>(TOKENS.Vault);
      const limitRepository = new VerificationLimitRepository(c.resolve(TOKENS.PgPool));
      const limits = new VerificationLimits(
        c.resolve<RedisClient>(TOKENS.Redis),
        {
          perDestinationMinute: config.VERIFICATION_LIMIT_PER_DESTINATION_MINUTE,
          perDestinationHour: config.VERIFICATION_LIMIT_PER_DESTINATION_HOUR,
          perDestinationDay: config.VERIFICATION_LIMIT_PER_DESTINATION_DAY,
          perTenantHour: config.VERIFICATION_LIMIT_PER_TENANT_HOUR,
          perRangeHour: config.VERIFICATION_LIMIT_PER_RANGE_HOUR,
          perCountryHour: config.VERIFICATION_LIMIT_PER_COUNTRY_HOUR,
        },
        undefined,
        limitRepository,
      );
      const blockRepository = new VerificationBlockRepository(c.resolve(TOKENS.PgPool));
      const pumping = new PumpingGuard(
        c.resolve<RedisClient>(TOKENS.Redis),
        blockRepository,
        vault,
        vault,
        pumpingThresholdsOf(config),
      );
      return {
        blocks: new VerificationBlocks(blockRepository, vault),
        limits: new TenantVerificationLimits(limitRepository, limits, vault),
        verifications: new VerificationService(
          new VerificationRepository(c.resolve(TOKENS.PgPool), vault, RESEND_COOLDOWN_MS),
          c.resolve(LOCAL.AcceptMessage),
          limits,
          vault,
          {
            secret,
            defaultFrom: config.VERIFICATION_DEFAULT_FROM,
            maxSegments: config.VERIFICATION_MAX_SEGMENTS,
          },
          vault,
          pumping,
          verificationSessions(c),
        ),
      };
    }),
  );
}

/** Sends of verifications from masked virtual numbers, through the masking session API's parts. */
function verificationSessions(c: DependencyContainer): VerificationSessions | null {
  const { masking, sessionMessages } = c.resolve<MaskingRoutesDeps>(MASKING_TOKENS.Routes);
  return sessionMessages
    ? new VerificationSessions(masking, sessionMessages, c.resolve(TOKENS.Logger))
    : null;
}

/** The Server-Timing recorder when INGEST_SERVER_TIMING=1, else undefined. */
function serverTimingOf(c: DependencyContainer): ServerTiming | undefined {
  return c.isRegistered(LOCAL.ServerTiming) ? c.resolve<ServerTiming>(LOCAL.ServerTiming) : undefined;
}

export interface IngestServices {
  logger: Logger;
  apiKeys: CachedApiKeyAuthenticator;
  messages: MessageRepository;
  queues: DeliveryQueues;
  acceptMessage: AcceptMessage;
  redisLossWatch: RedisLossWatch;
  reconciler: Reconciler;
  masking: MaskingRoutesDeps;
  webhooks: WebhookRoutesDeps;
  statusCallbacks: StatusCallbacks;
  numbers: NumberRoutesDeps;
  revealGrants: RevealGrantRepository;
  revealPolicies: RevealPolicyRepository;
  routeTable: RouteTable;
  carrierHealth: CarrierHealthCache;
  routing: RoutingRoutesDeps;
  audit: PgVault;
  health: DependencyHealth;
  apiKeyAdmin: ApiKeyRoutesDeps;
  serverTiming?: ServerTiming;
  verifications?: VerificationRoutesDeps;
  users: { service: UserService; auditLog: PgVault['audit'] };
  anomalies: AnomalyDetectors;
}

export function resolveIngestServices(c: DependencyContainer): IngestServices {
  return {
    logger: c.resolve(TOKENS.Logger),
    apiKeys: c.resolve(TOKENS.ApiKeyRepository),
    messages: c.resolve(TOKENS.MessageRepository),
    queues: c.resolve(TOKENS.Queues),
    acceptMessage: c.resolve(LOCAL.AcceptMessage),
    redisLossWatch: c.resolve(LOCAL.RedisLossWatch),
    reconciler: c.resolve(LOCAL.Reconciler),
    masking: c.resolve(MASKING_TOKENS.Routes),
    webhooks: c.resolve(WEBHOOK_TOKENS.Routes),
    statusCallbacks: c.resolve(WEBHOOK_TOKENS.StatusCallbacks),
    numbers: { numbers: new TenantNumberRepository(c.resolve(TOKENS.PgPool)) },
    revealGrants: c.resolve(LOCAL.RevealGrants),
    revealPolicies: new RevealPolicyRepository(c.resolve(TOKENS.PgPool)),
    routeTable: c.resolve(LOCAL.RouteTable),
    carrierHealth: c.resolve(LOCAL.CarrierHealth),
    routing: c.resolve(LOCAL.RoutingRoutes),
    audit: c.resolve(TOKENS.Vault),
    health: c.resolve(HEALTH_TOKENS.Dependencies),
    apiKeyAdmin: {
      repository: c.resolve(LOCAL.ApiKeyStore),
      authenticator: c.resolve(TOKENS.ApiKeyRepository),
      audit: c.resolve(TOKENS.Vault),
      clock: c.resolve(TOKENS.Clock),
    },
    ...(serverTimingOf(c) ? { serverTiming: serverTimingOf(c) } : {}),
    ...(c.isRegistered(LOCAL.VerificationRoutes)
      ? { verifications: c.resolve(LOCAL.VerificationRoutes) }
      : {}),
    users: c.resolve(LOCAL.Users),
    anomalies: c.resolve(LOCAL.Anomalies),
  };
}
