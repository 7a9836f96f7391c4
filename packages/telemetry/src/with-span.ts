import { linkToActive } from '@maskline/core';
import {
  type Attributes,
  type Context,
  context,
  type Span,
  type SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';

export interface SpanOptions {
  parent?: Context;
  attributes?: Attributes;
  /** INTERNAL when unset. */
  kind?: SpanKind;
}

/**
 * Runs fn inside a new active span; records a failure's error code (never its message,
 * which may come from a library and carry data) and ends the span.
 */
export async function withSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const { attributes = {}, kind } = options;
  // Work continued in another trace (a message's, from its row) from inside a span of this
  // process (a background cycle's) links back to that span.
  const links = options.parent ? linkToActive(trace.getSpanContext(options.parent)?.traceId) : [];
  const spanOptions = {
    attributes,
    ...(kind === undefined ? {} : { kind }),
    ...(links.length > 0 ? { links } : {}),
  };
  return tracer.startActiveSpan(name, spanOptions, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      const code =
        typeof error === 'object' && error !== null && 'code' in error
          ? String(error.code)
          : 'internal_error';
      span.setStatus({ code: SpanStatusCode.ERROR, message: code });
      span.setAttribute('maskline.error.code', code);
      throw error;
    } finally {
      span.end();
    }
  });
}
