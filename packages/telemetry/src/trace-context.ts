import { type Context, context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { PropagationOnlyTracer } from './propagation-only.js';

/** W3C trace context as it rides in job data and in the messages table. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/** The active (or given) context as a W3C carrier; undefined when nothing is recording. */
export function injectTraceContext(ctx: Context = context.active()): TraceCarrier | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  if (!carrier.traceparent) return undefined;
  return carrier.tracestate
    ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
    : { traceparent: carrier.traceparent };
}

/** A context whose remote parent is the carrier's span (ROOT_CONTEXT when absent). */
export function extractTraceContext(carrier: TraceCarrier | string | null | undefined): Context {
  if (!carrier) return ROOT_CONTEXT;
  const headers = typeof carrier === 'string' ? { traceparent: carrier } : carrier;
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** The traceparent of the active span, for storing beside a row. */
export function activeTraceparent(): string | null {
  return injectTraceContext()?.traceparent ?? null;
}

const requestTracer = new PropagationOnlyTracer();

/**
 * Runs fn (and everything it awaits) inside the request's trace context. When the http
 * instrumentation already made the request's server span (an exporter is on) that span
 * stays active; otherwise a non-recording span continues the request's `traceparent`
 * header (a new trace when it has none or an invalid one). Only the traceparent is taken
 * from the client: its `tracestate` is free-form text and is not carried into jobs or rows.
 */
export function withRequestTraceContext<T>(
  headers: Record<string, string | string[] | undefined>,
  fn: () => T,
): T {
  if (trace.getSpanContext(context.active())) return fn();
  const header = headers.traceparent;
  const parent = extractTraceContext(Array.isArray(header) ? header[0] : header);
  const span = requestTracer.startSpan('request', undefined, parent);
  return context.with(trace.setSpan(parent, span), fn);
}

export function traceIdOf(traceparent: string): string | undefined {
  return /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent)?.[1];
}

export { trace };
