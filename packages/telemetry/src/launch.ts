import { metricsEnabled } from './metrics/metrics-options.js';
import type { Telemetry } from './telemetry-options.js';
import { startTelemetry } from './telemetry-sdk.js';

/**
 * The body of every app's main.ts: start telemetry before the app's modules load (so,
 * when an exporter is configured, the instrumentations can patch http, pg and ioredis;
 * with none they are not loaded at all), then run it. A startup failure is
 * printed as one JSON line with the message only (config errors name the field, never a
 * value) and exits 1.
 */
export async function launch(
  serviceName: string,
  loadRun: () => Promise<{ run(telemetry: Telemetry): Promise<void> }>,
): Promise<void> {
  let telemetry: Telemetry | undefined;
  try {
    telemetry = await startTelemetry({
      serviceName,
      otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
      metrics: metricsEnabled(process.env.METRICS_ENABLED),
    });
    const { run } = await loadRun();
    await run(telemetry);
  } catch (error) {
    console.error(JSON.stringify({ level: 'fatal', service: serviceName, msg: (error as Error).message }));
    await telemetry?.shutdown().catch(() => {});
    process.exit(1);
  }
}
