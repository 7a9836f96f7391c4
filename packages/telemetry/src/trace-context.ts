import { type Context, context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';

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

export function traceIdOf(traceparent: string): string | undefined {
  return /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent)?.[1];
}

export { trace };
