import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';

/**
 * Names the current request's HTTP server span by its route template: the http
 * instrumentation then records `http.route` and names the span `METHOD /route/template`
 * (e.g. `GET /v1/messages/:id`), never the raw URL. Call it from the framework's first
 * hook with the matched route's template; a request no route matched keeps the plain
 * method name. A no-op when nothing records (no exporter).
 */
export function setHttpRoute(route: string | undefined): void {
  if (!route) return;
  const metadata = getRPCMetadata(context.active());
  if (metadata?.type === RPCType.HTTP) metadata.route = route;
}
