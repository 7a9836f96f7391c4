import { cached, HEALTH_TOKENS } from '@maskline/app-runtime';
import {
  type AuditRecorder,
  type Clock,
  type DependencyHealth,
  type Logger,
  TOKENS,
  type Vault,
} from '@maskline/core';
import { ExpiryQueue, MaskingService, MaskingStore } from '@maskline/masking';
import type { DeliveryQueues, RedisClient } from '@maskline/queues';
import { InboundRepository, type MessageRepository } from '@maskline/storage';
import type pg from 'pg';
import type { DependencyContainer } from 'tsyringe';
import { RequestActorAudit } from '../auth/request-actor.js';
import { IDEMPOTENCY_DIGESTS, type RequestDigests } from '../idempotency/request-digests.js';
import { InboundCodes } from './inbound-codes.js';
import type { MaskingRoutesDeps } from './masking-routes.js';
import { SessionMessages } from './session-messages.js';

export const MASKING_TOKENS = {
  MaskingService: Symbol.for('maskline.ingest.MaskingService'),
  ExpiryQueue: Symbol.for('maskline.ingest.MaskingExpiryQueue'),
  Routes: Symbol.for('maskline.ingest.MaskingRoutes'),
} as const;

export interface MaskingIngestConfig {
  QUEUE_PREFIX: string;
  MAX_BODY_CHARS: number;
  MASKING_QUARANTINE_MS: number;
  MASKING_LOW_WATERMARK: number;
}

/** Registers the masking service in the ingest container (vault by TOKENS.Vault). */
export function registerMasking(c: DependencyContainer, config: Readonly<MaskingIngestConfig>): void {
  c.register(
    MASKING_TOKENS.ExpiryQueue,
    cached(
      (c) =>
        new ExpiryQueue({ connection: c.resolve<RedisClient>(TOKENS.Redis), prefix: config.QUEUE_PREFIX }),
    ),
  );
  c.register(
    MASKING_TOKENS.MaskingService,
    cached(
      (c) =>
        new MaskingService(
          new MaskingStore(c.resolve<pg.Pool>(TOKENS.PgPool)),
          c.resolve<Vault>(TOKENS.Vault),
          c.resolve(MASKING_TOKENS.ExpiryQueue),
          c.resolve<Logger>(TOKENS.Logger),
          c.resolve<Clock>(TOKENS.Clock),
          { quarantineMs: config.MASKING_QUARANTINE_MS, lowWatermark: config.MASKING_LOW_WATERMARK },
          // Masking changes made through the API are recorded as the acting API key.
          new RequestActorAudit(c.resolve<AuditRecorder>(TOKENS.Vault)),
        ),
    ),
  );
  c.register(
    MASKING_TOKENS.Routes,
    cached(
      (c): MaskingRoutesDeps => ({
        masking: c.resolve(MASKING_TOKENS.MaskingService),
        sessionMessages: new SessionMessages(
          c.resolve(MASKING_TOKENS.MaskingService),
          c.resolve<MessageRepository>(TOKENS.MessageRepository),
          c.resolve<DeliveryQueues>(TOKENS.Queues),
          c.resolve<Logger>(TOKENS.Logger),
          c.resolve<RequestDigests>(IDEMPOTENCY_DIGESTS),
          c.resolve<DependencyHealth>(HEALTH_TOKENS.Dependencies),
        ),
        maxBodyChars: config.MAX_BODY_CHARS,
        inboundCodes: new InboundCodes(
          new MaskingStore(c.resolve<pg.Pool>(TOKENS.PgPool)).events,
          new InboundRepository(c.resolve<pg.Pool>(TOKENS.PgPool), c.resolve<Vault>(TOKENS.Vault)),
        ),
      }),
    ),
  );
}
