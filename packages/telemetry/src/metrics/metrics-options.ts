import type { IncomingMessage, ServerResponse } from 'node:http';

/** Serves the Prometheus text exposition of this process's metrics on a GET /metrics. */
export type MetricsHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * METRICS_ENABLED: on unless set to false/0/off/no. Metrics cost a counter add per event,
 * and nothing is served until the app has a port to serve them on (HEALTH_PORT for the
 * workers, METRICS_PORT for the ingest).
 */
export function metricsEnabled(value: string | undefined): boolean {
  if (value === undefined || value.trim() === '') return true;
  const normalised = value.trim().toLowerCase();
  if (['false', '0', 'off', 'no'].includes(normalised)) return false;
  if (['true', '1', 'on', 'yes'].includes(normalised)) return true;
  throw new Error('METRICS_ENABLED must be true or false');
}
