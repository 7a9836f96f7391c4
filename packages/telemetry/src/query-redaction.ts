import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The request's query string: the client's free text. */
const QUERY = 'url.query';

/**
 * Replaces a server span's `url.query` (the client's free text: it may hold a number or a
 * code, whatever the API reads) with `redacted` as the span starts, before any exporter
 * sees it. The route template (`http.route`) and the path stay.
 */
export class QueryRedactionProcessor implements SpanProcessor {
  onStart(span: Span, _parent: Context): void {
    if (span.attributes[QUERY] !== undefined) span.setAttribute(QUERY, 'redacted');
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
