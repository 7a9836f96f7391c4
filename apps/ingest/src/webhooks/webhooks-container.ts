import { cached } from '@maskline/app-runtime';
import { TOKENS, type Vault } from '@maskline/core';
import {
  DeliveryStore,
  EndpointService,
  EndpointStore,
  RangeRedelivery,
  type WebhookConfig,
  webhookTargetPolicy,
} from '@maskline/webhooks';
import type pg from 'pg';
import type { DependencyContainer } from 'tsyringe';
import { StatusCallbacks } from '../messages/status-callbacks.js';
import type { WebhookRoutesDeps } from './webhook-routes.js';

export const WEBHOOK_TOKENS = {
  Routes: Symbol.for('maskline.ingest.WebhookRoutes'),
  StatusCallbacks: Symbol.for('maskline.ingest.StatusCallbacks'),
} as const;

/** Registers the webhook API's services in the ingest container. */
export function registerWebhooks(c: DependencyContainer, config: Readonly<WebhookConfig>): void {
  c.register(
    WEBHOOK_TOKENS.Routes,
    cached((c): WebhookRoutesDeps => {
      const pool = c.resolve<pg.Pool>(TOKENS.PgPool);
      const endpoints = new EndpointService(
        new EndpointStore(pool),
        c.resolve<Vault>(TOKENS.Vault),
        webhookTargetPolicy(config),
      );
      const deliveries = new DeliveryStore(pool);
      return { endpoints, deliveries, rangeRedelivery: new RangeRedelivery(endpoints, deliveries) };
    }),
  );
  c.register(
    WEBHOOK_TOKENS.StatusCallbacks,
    cached(
      (c) =>
        new StatusCallbacks(
          new EndpointStore(c.resolve<pg.Pool>(TOKENS.PgPool)),
          webhookTargetPolicy(config),
          c.resolve(TOKENS.Clock),
        ),
    ),
  );
}
