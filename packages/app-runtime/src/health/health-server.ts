import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@maskline/core';
import { checkReadiness, type ReadinessCheck } from './readiness.js';

export interface HealthServerOptions {
  host: string;
  port: number;
  /** What /ready checks (PostgreSQL, Redis, and for a delivery worker its carriers). */
  checks: Readonly<Record<string, ReadinessCheck>>;
  logger: Pick<Logger, 'info'>;
  /** Serves `GET /metrics` (Prometheus text) when given; else that path is a 404. */
  metrics?: ((request: IncomingMessage, response: ServerResponse) => void) | null;
}

export interface HealthServer {
  /** e.g. http://127.0.0.1:9464 */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The probes of a process without an API of its own (delivery worker, receipt processor):
 * `GET /live` answers 200 while the event loop turns; `GET /ready` 200 or 503 with each
 * check's state; `GET /metrics` the process's metrics when they are on (the ingest runs
 * one on METRICS_PORT for that, off its public API port). Plain node:http: fixed routes,
 * no body to parse, nothing to share with the ingest's API server.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return send(
        response,
        405,
        { error: { code: 'method_not_allowed', message: 'Use GET.' } },
        { allow: 'GET, HEAD' },
      );
    }
    if (path === '/metrics' && options.metrics) return options.metrics(request, response);
    if (path === '/live') return send(response, 200, { status: 'ok' });
    if (path === '/ready') {
      void checkReadiness(options.checks).then(({ ready, checks }) =>
        send(response, ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', checks }),
      );
      return;
    }
    send(response, 404, { error: { code: 'not_found', message: 'No such route.' } });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  options.logger.info({ address: url }, 'health server listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/** The health server when HEALTH_PORT is set (else null), on HEALTH_HOST, with /metrics if given. */
export function startConfiguredHealthServer(
  config: { HEALTH_PORT?: number | undefined; HEALTH_HOST: string },
  checks: Readonly<Record<string, ReadinessCheck>>,
  logger: Pick<Logger, 'info'>,
  metrics: HealthServerOptions['metrics'] = null,
): Promise<HealthServer | null> {
  if (config.HEALTH_PORT === undefined) return Promise.resolve(null);
  return startHealthServer({ host: config.HEALTH_HOST, port: config.HEALTH_PORT, checks, logger, metrics });
}
