import type { Logger } from '@maskline/core';
import type { SecurityAlertRepository } from '@maskline/storage';
import { lazyInstruments } from '@maskline/telemetry';

const instruments = lazyInstruments('maskline.ingest.security', (meter) => ({
  alerts: meter.createCounter('maskline.security.alerts', {
    description: 'Anomaly alerts raised (security.alert), by kind',
    unit: '{alert}',
  }),
}));

/** What an anomaly alert is about (the `kind` of the event and the metric label). */
export type AnomalyKind = 'reveal_burst' | 'mass_listing' | 'auth_failures' | 'new_destination_country';

export interface AnomalyAlert {
  kind: AnomalyKind;
  /** The tenant to tell with a `security.alert` webhook event; null when none is known (auth failures). */
  tenantId: string | null;
  /** The event's data besides `kind`: counts, thresholds, ids; never a number, code or body. */
  data: Record<string, unknown>;
  /** Names the alert's window: a second emit of it writes no second event. */
  sourceKey: string;
}

/**
 * Raises an anomaly alert: `maskline_security_alerts_total{kind}`, one warn log line and, for
 * a tenant, a `security.alert` webhook event. The detectors decide once per window (Redis),
 * so a burst raises one alert, not one per request.
 */
export class SecurityAlerts {
  constructor(
    private readonly events: Pick<SecurityAlertRepository, 'emit'>,
    private readonly logger: Logger,
  ) {}

  async raise(alert: AnomalyAlert): Promise<void> {
    instruments().alerts.add(1, { kind: alert.kind });
    this.logger.warn({ alert: alert.kind, ...alert.data }, 'security alert');
    if (alert.tenantId) {
      await this.events.emit(alert.tenantId, { kind: alert.kind, ...alert.data }, alert.sourceKey);
    }
  }
}
