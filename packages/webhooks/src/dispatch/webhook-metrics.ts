import { lazyInstruments } from '@maskline/telemetry';

const instruments = lazyInstruments('maskline.webhooks', (meter) => ({
  deliveries: meter.createCounter('maskline.webhook.deliveries', {
    description: 'Webhook delivery attempts, by outcome, event type and answer',
    unit: '{attempt}',
  }),
  duration: meter.createHistogram('maskline.webhook.delivery.duration', {
    description: "A webhook POST's time until the endpoint answered (or failed to)",
    unit: 's',
  }),
}));

export interface WebhookAttemptMetric {
  outcome: 'delivered' | 'retry' | 'dead';
  eventType: string;
  /** The endpoint's HTTP status, or null when none came (refused, timeout, not sent). */
  status: number | null;
  /** Why no answer came (a fixed class: timeout, connect_refused, dns_failed, a refusal reason). */
  errorClass: string | null;
  /** The POST's latency; null when nothing was sent (the target was refused). */
  latencyMs: number | null;
}

/**
 * Labels of one attempt: its outcome, the event type, the answer's status class (2xx…5xx,
 * or none) and, without an answer, why. Never the endpoint, its URL, the tenant or the event.
 */
export function webhookAttemptLabels(attempt: WebhookAttemptMetric): Record<string, string> {
  const labels: Record<string, string> = {
    outcome: attempt.outcome,
    event_type: attempt.eventType,
    status_class: attempt.status === null ? 'none' : `${Math.floor(attempt.status / 100)}xx`,
  };
  if (attempt.status === null && attempt.errorClass) labels.error_type = attempt.errorClass;
  return labels;
}

/** Counts one webhook attempt and records its latency when a POST was made. */
export function recordWebhookAttempt(attempt: WebhookAttemptMetric): void {
  const m = instruments();
  const labels = webhookAttemptLabels(attempt);
  m.deliveries.add(1, labels);
  if (attempt.latencyMs !== null) m.duration.record(attempt.latencyMs / 1000, labels);
}
