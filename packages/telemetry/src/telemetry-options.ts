import type { Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { MetricsHandler } from './metrics/metrics-options.js';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /** OTLP/HTTP base URL, e.g. http://127.0.0.1:4318. Unset (and no exporter): nothing is
   * recorded or patched, but trace context still flows through requests, jobs and rows. */
  otlpEndpoint?: string | undefined;
  /** For tests: export to this exporter synchronously (e.g. InMemorySpanExporter). */
  exporter?: SpanExporter;
  /** Record metrics (OpenTelemetry SDK, Prometheus exposition). Default false. */
  metrics?: boolean;
}

export interface Telemetry {
  tracer: Tracer;
  /** True when spans are recorded and exported (the SDK and its instrumentations run). */
  exporting: boolean;
  /** Serves GET /metrics (Prometheus text) when metrics are on, else null. */
  metrics: MetricsHandler | null;
  shutdown(): Promise<void>;
}
