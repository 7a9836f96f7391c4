import { countryOf, type Logger } from '@maskline/core';
import type { RedisClient } from '@maskline/queues';
import { requireReady } from '../rate-limits/request-limits.js';
import { NewCountryCounter, type NewCountrySettings } from './new-countries.js';
import type { AnomalyKind, SecurityAlerts } from './security-alerts.js';
import { WindowCounter } from './window-counter.js';

/** A threshold within a fixed window (threshold 0: the detector is off). */
export interface WindowThreshold {
  threshold: number;
  windowMs: number;
}

export interface AnomalySettings {
  /** Reveal requests (POST /v1/messages/{id}/reveal, granted or not) by one principal. */
  reveals: WindowThreshold;
  /** Pages of the list routes (LISTING_ROUTES) read by one principal. */
  listing: WindowThreshold;
  /** Failed authentications from one client address. */
  authFailures: WindowThreshold;
  /** Messages to a country the tenant had not sent to within the lookback. */
  newCountries: NewCountrySettings;
}

/** The list routes whose pages count towards mass listing. */
export const LISTING_ROUTES: ReadonlySet<string> = new Set([
  'GET /v1/messages',
  'GET /v1/masking/sessions',
  'GET /v1/masking/events',
  'GET /v1/audit-events',
]);

/** A message the accept path committed: its tenant and destination (read for its country only). */
export interface SentMessage {
  tenantId: string;
  to: string;
}

/**
 * The anomaly detectors (docs/observability.md#anomaly-alerts): fixed-window counters in
 * Redis, one key per subject (hash-tagged by tenant where there is one: Redis Cluster-safe,
 * one script call per observation, one per tenant per accepted batch for countries); each
 * window alerts once. A detector never fails or holds the request it observes: with Redis
 * away (as the request limits see it) or failing, the observation is lost, logged at debug.
 */
export class AnomalyDetectors {
  private readonly windows: WindowCounter;
  private readonly countries: NewCountryCounter;

  constructor(
    private readonly redis: RedisClient,
    private readonly alerts: SecurityAlerts,
    private readonly settings: AnomalySettings,
    private readonly logger: Logger,
    private readonly prefix = 'ml-anomaly',
    now: () => number = Date.now,
  ) {
    this.windows = new WindowCounter(redis, now);
    this.countries = new NewCountryCounter(redis, settings.newCountries, now);
  }

  /** A reveal request by `principal` (`api_key:<id>` or `user:<id>`). */
  revealed(tenantId: string, principal: string): Promise<void> {
    return this.windowed('reveal_burst', tenantId, principal, this.settings.reveals);
  }

  /** A page of a list route read by `principal`. */
  listed(tenantId: string, principal: string): Promise<void> {
    return this.windowed('mass_listing', tenantId, principal, this.settings.listing);
  }

  /** A failed authentication from an address, given as the throttle's keyed hash of it. */
  async authFailed(addressId: string): Promise<void> {
    const { threshold, windowMs } = this.settings.authFailures;
    if (threshold <= 0) return;
    await this.guard(async () => {
      const window = await this.windows.add(`${this.prefix}:auth:{${addressId}}`, 1, threshold, windowMs);
      if (!window.alert) return;
      await this.alerts.raise({
        kind: 'auth_failures',
        tenantId: null,
        data: { address: addressId, failures: window.count, threshold, windowSeconds: windowMs / 1000 },
        sourceKey: `anomaly:auth_failures:${addressId}:${window.windowEndsAt}`,
      });
    });
  }

  /** Messages the accept path committed (one batch): counted per tenant and country. */
  async sent(messages: readonly SentMessage[]): Promise<void> {
    const s = this.settings.newCountries;
    if (s.threshold <= 0 || messages.length === 0) return;
    const byTenant = new Map<string, Map<string, number>>();
    for (const m of messages) {
      const country = countryOf(m.to);
      if (!country) continue;
      const counts = byTenant.get(m.tenantId) ?? new Map<string, number>();
      counts.set(country, (counts.get(country) ?? 0) + 1);
      byTenant.set(m.tenantId, counts);
    }
    await Promise.all(
      [...byTenant].map(([tenantId, counts]) =>
        this.guard(async () => {
          const alerts = await this.countries.observe(`${this.prefix}:{${tenantId}}:countries`, counts);
          for (const { country, count, newSince } of alerts) {
            await this.alerts.raise({
              kind: 'new_destination_country',
              tenantId,
              data: {
                country,
                messages: count,
                threshold: s.threshold,
                windowSeconds: s.windowMs / 1000,
                lookbackDays: s.lookbackMs / 86_400_000,
              },
              // A country alerts once per time it becomes new.
              sourceKey: `anomaly:new_destination_country:${country}:${newSince}`,
            });
          }
        }),
      ),
    );
  }

  private async windowed(
    kind: AnomalyKind,
    tenantId: string,
    principal: string,
    { threshold, windowMs }: WindowThreshold,
  ): Promise<void> {
    if (threshold <= 0) return;
    await this.guard(async () => {
      const key = `${this.prefix}:{${tenantId}}:${kind}:${principal}`;
      const window = await this.windows.add(key, 1, threshold, windowMs);
      if (!window.alert) return;
      await this.alerts.raise({
        kind,
        tenantId,
        data: { principal, count: window.count, threshold, windowSeconds: windowMs / 1000 },
        sourceKey: `anomaly:${kind}:${principal}:${window.windowEndsAt}`,
      });
    });
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    try {
      // A Redis that was up and is not is not waited for (no request is held by a detector).
      requireReady(this.redis);
      await work();
    } catch (error) {
      this.logger.debug({ err: error }, 'anomaly detector skipped an observation');
    }
  }
}
