import { randomFillSync } from 'node:crypto';
import {
  type Context,
  context,
  isSpanContextValid,
  propagation,
  type Span,
  type SpanOptions,
  TraceFlags,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** Random bytes drawn in blocks: one getrandom call per 256 spans, not one per id. */
const pool = Buffer.alloc(24 * 256);
let offset = pool.length;

function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const hex = pool.toString('hex', offset, offset + bytes);
    offset += bytes;
    if (!/^0+$/.test(hex)) return hex; // all zeros is the W3C "invalid" id
  }
}

/**
 * A Tracer that records nothing yet gives every span a real W3C identity: a fresh random
 * span id, the parent's trace id, flags and tracestate (or, for a root, a fresh random trace
 * id with the sampled flag — what the default sampler decides when an exporter is on, so a
 * downstream system that records sees the message's spans as one trace). Its spans are
 * NonRecordingSpans: attributes and events are dropped on the spot.
 */
export class PropagationOnlyTracer implements Tracer {
  startSpan(_name: string, options?: SpanOptions, ctx: Context = context.active()): Span {
    const parent = options?.root ? undefined : trace.getSpanContext(ctx);
    const valid = parent !== undefined && isSpanContextValid(parent);
    return trace.wrapSpanContext({
      traceId: valid ? parent.traceId : randomHex(16),
      spanId: randomHex(8),
      traceFlags: valid ? parent.traceFlags : TraceFlags.SAMPLED,
      ...(valid && parent.traceState ? { traceState: parent.traceState } : {}),
    });
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...args: unknown[]): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const options = args.length >= 2 ? (args[0] as SpanOptions) : undefined;
    const parent = args.length >= 3 ? (args[1] as Context) : context.active();
    const span = this.startSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), () => fn(span) as ReturnType<F>);
  }
}

class PropagationOnlyTracerProvider implements TracerProvider {
  private readonly tracer = new PropagationOnlyTracer();
  getTracer(): Tracer {
    return this.tracer;
  }
}

/**
 * Telemetry without an exporter: no SDK, no instrumentation (http, pg and ioredis stay
 * unpatched), only what trace context needs to flow — async context, the W3C propagator
 * and the propagation-only tracer.
 */
export function startPropagationOnly(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new PropagationOnlyTracerProvider());
}
