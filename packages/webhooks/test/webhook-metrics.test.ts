import { describe, expect, it } from 'vitest';
import { webhookAttemptLabels } from '../src/dispatch/webhook-metrics.js';

describe('webhookAttemptLabels', () => {
  it('labels an answered attempt by outcome, event type and status class', () => {
    expect(
      webhookAttemptLabels({
        outcome: 'retry',
        eventType: 'message.status',
        status: 503,
        errorClass: 'http_503',
        latencyMs: 12,
      }),
    ).toEqual({ outcome: 'retry', event_type: 'message.status', status_class: '5xx' });
  });

  it('names why no answer came, and nothing of the endpoint', () => {
    expect(
      webhookAttemptLabels({
        outcome: 'dead',
        eventType: 'inbound.received',
        status: null,
        errorClass: 'connect_refused',
        latencyMs: null,
      }),
    ).toEqual({
      outcome: 'dead',
      event_type: 'inbound.received',
      status_class: 'none',
      error_type: 'connect_refused',
    });
  });
});
