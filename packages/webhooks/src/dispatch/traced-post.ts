import { ATTR, extractTraceContext, injectTraceContext, SPAN, trace, withSpan } from '@maskline/telemetry';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { Dispatcher } from 'undici';
import type { LoadedDelivery } from '../store/delivery-store.js';
import type { VettedTarget } from '../target-guard.js';
import { type PostResult, postWebhook } from '../webhook-post.js';

/**
 * The endpoint URL as a span may show it: scheme, host and port only. No query or userinfo,
 * and no path either: hook URLs often carry their credential in the path (Slack-style
 * `/services/T…/B…/secret`), and spans leave for the tracing backend.
 */
export function spanUrlOf(url: URL): string {
  return url.origin;
}

/**
 * One webhook POST as a CLIENT span: a child of the message's trace when the event concerns
 * a message (its row's traceparent), else a root. The request carries the span's W3C
 * `traceparent` to the receiver. Attributes are ids, the attempt number, the method, the
 * URL without query and the answer's status: never the body.
 */
export function tracedPost(
  d: LoadedDelivery,
  target: VettedTarget,
  body: string,
  headers: Record<string, string>,
  /** Keeps the endpoint's connections (EndpointAgents); none: one connection per POST. */
  agent?: Dispatcher,
  // Asked for at call time, not at module load: the process's provider (the SDK's when an
  // exporter is on, else propagation-only) is registered by launch() before it is used.
  tracer: Tracer = trace.getTracer('maskline-webhooks'),
): Promise<PostResult> {
  return withSpan(
    tracer,
    SPAN.webhookPost,
    {
      parent: extractTraceContext(d.traceContext),
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR.httpMethod]: 'POST',
        [ATTR.url]: spanUrlOf(target.url),
        [ATTR.serverAddress]: target.host,
        [ATTR.webhookEventType]: d.event.type,
        [ATTR.webhookEventId]: d.event.id,
        [ATTR.webhookEndpointId]: d.endpointId,
        [ATTR.webhookAttempt]: d.attempts + 1,
        [ATTR.tenantId]: d.tenantId,
      },
    },
    async (span) => {
      const post = await postWebhook(
        target,
        body,
        { ...headers, ...injectTraceContext() },
        d.endpoint.timeoutMs,
        agent,
      );
      if (post.status !== null) span.setAttribute(ATTR.httpStatus, post.status);
      if (post.errorClass) {
        span.setAttribute(ATTR.errorType, post.errorClass);
        span.setStatus({ code: SpanStatusCode.ERROR, message: post.errorClass });
      }
      return post;
    },
  );
}
