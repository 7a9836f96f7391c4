import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { MetricsHandler } from './metrics-options.js';

export interface MetricsEndpoint {
  handler: MetricsHandler;
  shutdown(): Promise<void>;
}

/**
 * Seconds buckets for the message latencies (accepted -> submitted -> final): from 5 ms
 * (a submit on a warm bind) to 1 h (a receipt that takes its time).
 */
export const MESSAGE_LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
];

/** Seconds buckets for requests and calls (HTTP server, webhook POSTs). */
export const REQUEST_LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

const views: ViewOptions[] = [
  {
    instrumentName: 'maskline.message.*.duration',
    aggregation: {
      type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
      options: { boundaries: MESSAGE_LATENCY_BUCKETS },
    },
  },
  {
    instrumentName: 'http.server.request.duration',
    aggregation: {
      type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
      options: { boundaries: REQUEST_LATENCY_BUCKETS },
    },
  },
  {
    instrumentName: 'maskline.webhook.delivery.duration',
    aggregation: {
      type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
      options: { boundaries: REQUEST_LATENCY_BUCKETS },
    },
  },
];

/**
 * Starts the process's metrics: a MeterProvider read by the OpenTelemetry Prometheus
 * exporter, registered as the global meter provider, so the instruments of every package
 * (created through `metrics.getMeter`, see lazyInstruments) record into it. The exporter
 * opens no server of its own: the app serves `handler` on its health (or metrics) port.
 *
 * Started after the tracing SDK, on purpose: its http/pg/ioredis instrumentations then
 * keep the no-op meter, so no metric carries a peer host, URL or statement.
 */
export function startMetrics(options: { serviceName: string; serviceVersion?: string }): MetricsEndpoint {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.serviceVersion ?? '0.1.0',
    }),
    readers: [exporter],
    views,
  });
  metrics.setGlobalMeterProvider(provider);
  return {
    handler: (request, response) => exporter.getMetricsRequestHandler(request, response),
    shutdown: async () => {
      await provider.shutdown();
      metrics.disable();
    },
  };
}
