import { context, type Link, type Span, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/** What a background loop's cycle did, for its optional span. */
export interface CycleTracing<T> {
  /** The loop's name: its span, when recorded, is `maskline.<name>.cycle`. */
  name: string;
  /** Items the cycle handled; a cycle that handled none records nothing. */
  itemsOf?: (result: T) => number;
}

const tracer = () => trace.getTracer('maskline-background');

/**
 * Runs one cycle of a background loop without its own trace per query: everything it does
 * runs with tracing suppressed (its PostgreSQL and Redis calls record no span), except
 * work it explicitly continues in another trace (e.g. a message's, from the traceparent on
 * its row), which links back to this cycle. A cycle that handled items is recorded as one
 * root span `maskline.<name>.cycle` (attribute `maskline.cycle.items`); an idle poll is
 * recorded as nothing at all (its span is never ended, so never exported).
 */
export async function runBackgroundCycle<T>(
  fn: () => Promise<T>,
  tracing: CycleTracing<T> | undefined,
): Promise<T> {
  const span: Span | undefined = tracing
    ? tracer().startSpan(`maskline.${tracing.name}.cycle`, { root: true })
    : undefined;
  const active = span ? trace.setSpan(context.active(), span) : context.active();
  const result = await context.with(suppressTracing(active), fn);
  const items = span && tracing?.itemsOf ? tracing.itemsOf(result) : 0;
  if (span && items > 0) {
    span.setAttribute('maskline.cycle.items', items);
    span.end();
  }
  return result;
}

/** Runs fn with tracing suppressed: for a poll whose work is never worth a trace. */
export function untraced<T>(fn: () => T): T {
  return context.with(suppressTracing(context.active()), fn);
}

/**
 * A link to the background cycle (or other span) that started work continued in another
 * trace: [] when the active span is that trace's own or none.
 */
export function linkToActive(traceId: string | undefined): Link[] {
  const active = trace.getSpanContext(context.active());
  if (!active?.spanId || active.traceId === traceId) return [];
  return [{ context: active }];
}
