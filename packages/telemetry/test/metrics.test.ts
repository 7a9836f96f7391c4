import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { lazyInstruments, secondsSince } from '../src/metrics/lazy-instruments.js';
import {
  countCarrierError,
  countMessages,
  recordFinal,
  recordSubmitted,
} from '../src/metrics/message-metrics.js';
import { metricsEnabled } from '../src/metrics/metrics-options.js';
import { type MetricsEndpoint, startMetrics } from '../src/metrics/metrics-sdk.js';
import { countRecoveryActions } from '../src/metrics/recovery-metrics.js';

let endpoint: MetricsEndpoint | undefined;
let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  await endpoint?.shutdown();
  endpoint = undefined;
});

/** Starts metrics and serves their handler; returns a scrape function. */
async function scrapeable(): Promise<() => Promise<string>> {
  endpoint = startMetrics({ serviceName: 'metrics-test' });
  const handler = endpoint.handler;
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

describe('metricsEnabled (METRICS_ENABLED)', () => {
  it('is on by default and reads the usual spellings', () => {
    expect(metricsEnabled(undefined)).toBe(true);
    expect(metricsEnabled('')).toBe(true);
    expect(metricsEnabled('true')).toBe(true);
    expect(metricsEnabled('1')).toBe(true);
    expect(metricsEnabled('FALSE')).toBe(false);
    expect(metricsEnabled('0')).toBe(false);
    expect(metricsEnabled('off')).toBe(false);
  });

  it('refuses anything else, naming the setting only', () => {
    expect(() => metricsEnabled('maybe')).toThrow('METRICS_ENABLED must be true or false');
  });
});

describe('secondsSince', () => {
  it('is the elapsed seconds, never negative', () => {
    expect(secondsSince(new Date(1_000), 3_500)).toBe(2.5);
    expect(secondsSince(5_000, 3_000)).toBe(0);
  });
});

describe('lazyInstruments', () => {
  it('creates instruments on first use, and again once a meter provider is registered', async () => {
    let created = 0;
    const instruments = lazyInstruments('lazy-test', (meter) => {
      created++;
      return { counter: meter.createCounter('lazy.test.count') };
    });
    instruments().counter.add(1); // no provider yet: the no-op meter
    instruments().counter.add(1);
    expect(created).toBe(1);
    const scrape = await scrapeable();
    instruments().counter.add(2);
    expect(created).toBe(2);
    expect(await scrape()).toMatch(/^lazy_test_count_total 2$/m);
  });
});

describe('the message instruments through the Prometheus exposition', () => {
  it('counts statuses by carrier and records latencies in seconds buckets', async () => {
    const scrape = await scrapeable();
    const now = Date.now();
    countMessages('sim', 'accepted', 3);
    recordSubmitted('sim', new Date(now - 40), now);
    recordFinal(
      'sim',
      'delivered',
      { acceptedAt: new Date(now - 2_000), submittedAt: new Date(now - 1_500) },
      now,
    );
    recordFinal('sim', 'failed');
    countCarrierError('sim', 'carrier_rejected');
    countRecoveryActions('outbox-reconciler', { reenqueued: 2, untouched: 0 }, 'start');
    const text = await scrape();
    expect(text).toMatch(/^maskline_messages_total\{carrier="sim",status="accepted"\} 3$/m);
    expect(text).toMatch(/^maskline_messages_total\{carrier="sim",status="submitted"\} 1$/m);
    expect(text).toMatch(/^maskline_messages_total\{carrier="sim",status="delivered"\} 1$/m);
    expect(text).toMatch(/^maskline_messages_total\{carrier="sim",status="failed"\} 1$/m);
    expect(text).toMatch(/^maskline_message_submit_duration_count\{carrier="sim"\} 1$/m);
    expect(text).toMatch(/^maskline_message_submit_duration_bucket\{carrier="sim",le="0.05"\} 1$/m);
    expect(text).toMatch(/^maskline_message_submit_duration_bucket\{carrier="sim",le="0.025"\} 0$/m);
    expect(text).toMatch(/^maskline_message_final_duration_sum\{carrier="sim",status="delivered"\} 2$/m);
    expect(text).toMatch(/^maskline_message_receipt_duration_sum\{carrier="sim",status="delivered"\} 1.5$/m);
    // A final status without timestamps is counted, with no latency.
    expect(text).not.toMatch(/^maskline_message_final_duration_count\{carrier="sim",status="failed"\}/m);
    expect(text).toMatch(/^maskline_carrier_errors_total\{carrier="sim",error_code="carrier_rejected"\} 1$/m);
    expect(text).toMatch(
      /^maskline_recovery_actions_total\{component="outbox-reconciler",action="reenqueued",reason="start"\} 2$/m,
    );
    expect(text).not.toContain('untouched');
  });

  it('counts a submit whose accepted time is unknown, without a latency', async () => {
    const scrape = await scrapeable();
    recordSubmitted('http', undefined);
    const text = await scrape();
    expect(text).toMatch(/^maskline_messages_total\{carrier="http",status="submitted"\} 1$/m);
    expect(text).not.toMatch(/^maskline_message_submit_duration_count\{carrier="http"\}/m);
  });

  it('turns back to the no-op meter on shutdown', async () => {
    await scrapeable();
    await endpoint!.shutdown();
    endpoint = undefined;
    expect(metrics.getMeterProvider().getMeter('x').createCounter('y').constructor.name).toMatch(/Noop/);
  });
});
