import { trace } from '@opentelemetry/api';
import { startPropagationOnly } from './propagation-only.js';
import type { Telemetry, TelemetryOptions } from './telemetry-options.js';

/**
 * Starts telemetry once per process, before the app's modules load (launch() does this,
 * then `await import('./run.js')`).
 *
 * - An exporter configured: the OpenTelemetry Node SDK, whose http, pg and ioredis
 *   instrumentations patch those modules and record spans (one trace per message).
 * - None: the SDK and the instrumentations are not even loaded. A propagation-only tracer
 *   still gives every request, job and row a valid W3C traceparent, continuing the one it
 *   came with, so an exporter turned on later (here or downstream) sees one trace per message.
 * - Metrics (`metrics: true`), independently of either: see startMetrics.
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const version = options.serviceVersion ?? '0.1.0';
  const exporting = Boolean(options.otlpEndpoint || options.exporter);
  let stopTracing = async () => {};
  if (exporting) {
    const { samplerFromEnv } = await import('./sampler.js');
    const sampler = samplerFromEnv();
    const { startExportingSdk } = await import('./exporting-sdk.js');
    stopTracing = startExportingSdk(options, sampler);
  } else {
    startPropagationOnly();
  }
  // After the tracing SDK: its instrumentations keep the no-op meter (see startMetrics).
  const endpoint = options.metrics
    ? (await import('./metrics/metrics-sdk.js')).startMetrics({
        serviceName: options.serviceName,
        serviceVersion: version,
      })
    : null;
  return {
    tracer: trace.getTracer(options.serviceName, version),
    exporting,
    metrics: endpoint?.handler ?? null,
    shutdown: async () => {
      await stopTracing();
      await endpoint?.shutdown();
    },
  };
}
