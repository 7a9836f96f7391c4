import { lazyInstruments } from '@maskline/telemetry';
import type { FastifyInstance } from 'fastify';

const instruments = lazyInstruments('maskline.ingest.http', (meter) => ({
  duration: meter.createHistogram('http.server.request.duration', {
    description: 'Duration of HTTP server requests',
    unit: 's',
  }),
}));

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The OpenTelemetry semantic-convention labels of one request: the method (`_OTHER` for
 * one outside the known set), the route *template* (`/v1/messages/:id`, never the URL the
 * client sent; absent when no route matched) and the status code.
 */
export function requestMetricLabels(
  method: string,
  routeTemplate: string | undefined,
  statusCode: number,
): Record<string, string | number> {
  return {
    'http.request.method': KNOWN_METHODS.has(method) ? method : '_OTHER',
    ...(routeTemplate ? { 'http.route': routeTemplate } : {}),
    'http.response.status_code': statusCode,
  };
}

/** Records http.server.request.duration for every request the app answers. */
export function installRequestMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    instruments().duration.record(
      reply.elapsedTime / 1000,
      requestMetricLabels(request.method, request.routeOptions.url, reply.statusCode),
    );
  });
}
