import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  type Sampler,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { QueryRedactionProcessor } from './query-redaction.js';
import type { TelemetryOptions } from './telemetry-options.js';

/**
 * The OpenTelemetry Node SDK with the http, pg and ioredis instrumentations, exporting to
 * OTLP (and/or the given exporter). Loaded only when something exports: this module is the
 * only one that imports the SDK and the instrumentations. Instrumentations record no
 * statement parameters or request bodies. (HTTP server spans come from the http
 * instrumentation; the apps name them by route template, see setHttpRoute.)
 *
 * No query or outgoing call starts a trace: the pg, ioredis and outgoing http spans are
 * recorded only under a parent span (a request, a job's span, a background cycle's span).
 * Health, readiness and metrics requests are not traced; a request's query string is
 * recorded as `redacted` (QueryRedactionProcessor). HTTP attributes follow the
 * stable semantic conventions (`http.request.method`, `http.route`, `url.path`) unless
 * OTEL_SEMCONV_STABILITY_OPT_IN says otherwise.
 */
export function startExportingSdk(options: TelemetryOptions, sampler: Sampler): () => Promise<void> {
  // Read by the http instrumentation when it is constructed (below).
  process.env.OTEL_SEMCONV_STABILITY_OPT_IN ??= 'http';
  const processors: SpanProcessor[] = [new QueryRedactionProcessor()];
  if (options.exporter) processors.push(new SimpleSpanProcessor(options.exporter));
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 500 }));
  }
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.serviceVersion ?? '0.1.0',
    }),
    spanProcessors: processors,
    sampler,
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(health|live|ready|metrics)(?:[/?]|$)/.test(req.url ?? ''),
        requireParentforOutgoingSpans: true,
      }),
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      new IORedisInstrumentation({ dbStatementSerializer: (cmd) => cmd, requireParentSpan: true }),
    ],
  });
  sdk.start();
  return () => sdk.shutdown();
}
