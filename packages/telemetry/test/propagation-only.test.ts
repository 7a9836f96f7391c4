import { context, trace } from '@opentelemetry/api';
import { beforeAll, describe, expect, it } from 'vitest';
import { PropagationOnlyTracer, startPropagationOnly } from '../src/propagation-only.js';
import {
  activeTraceparent,
  extractTraceContext,
  injectTraceContext,
  withRequestTraceContext,
} from '../src/trace-context.js';
import { withSpan } from '../src/with-span.js';

const TRACEPARENT = /^00-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;
const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function parts(traceparent: string | null | undefined) {
  const match = TRACEPARENT.exec(traceparent ?? '');
  if (!match) throw new Error(`not a W3C traceparent: ${traceparent}`);
  return { traceId: match[1]!, spanId: match[2]!, flags: match[3]! };
}

describe('propagation-only telemetry (no exporter)', () => {
  const tracer = new PropagationOnlyTracer();
  beforeAll(() => startPropagationOnly());

  it('gives a root span a fresh random, sampled W3C identity and records nothing', async () => {
    const seen = await Promise.all(
      [1, 2, 3].map(() =>
        withSpan(tracer, 'root', {}, async (span) => {
          expect(span.isRecording()).toBe(false);
          await new Promise((r) => setTimeout(r, 1)); // the context survives an await
          return parts(activeTraceparent());
        }),
      ),
    );
    for (const ids of seen) {
      expect(ids.flags).toBe('01');
      expect(ids.traceId).not.toBe('0'.repeat(32));
      expect(ids.spanId).not.toBe('0'.repeat(16));
    }
    expect(new Set(seen.map((s) => s.traceId)).size).toBe(3);
    expect(new Set(seen.map((s) => s.spanId)).size).toBe(3);
  });

  it('continues a carrier: same trace, flags and tracestate, a new span id', async () => {
    const carrier = { traceparent: PARENT.replace(/-01$/, '-00'), tracestate: 'vendor=1' };
    const injected = await withSpan(tracer, 'child', { parent: extractTraceContext(carrier) }, async () =>
      injectTraceContext(),
    );
    const ids = parts(injected?.traceparent);
    expect(ids).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', flags: '00' });
    expect(ids.spanId).not.toBe('00f067aa0ba902b7');
    expect(injected?.tracestate).toBe('vendor=1');
  });

  it('starts a new trace for a root span even inside another', () => {
    const span = tracer.startSpan('new root', { root: true }, extractTraceContext(PARENT));
    expect(span.spanContext().traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('runs a request in a context continuing its traceparent header, without its tracestate', async () => {
    const injected = await withRequestTraceContext(
      { traceparent: PARENT, tracestate: 'x=+447911' },
      async () => {
        await new Promise((r) => setTimeout(r, 1));
        return injectTraceContext();
      },
    );
    const ids = parts(injected?.traceparent);
    expect(ids).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', flags: '01' });
    expect(ids.spanId).not.toBe('00f067aa0ba902b7');
    expect(injected?.tracestate).toBeUndefined();
  });

  it('runs a request without a valid traceparent in a fresh trace', () => {
    const first = withRequestTraceContext({ traceparent: 'garbage' }, activeTraceparent);
    const second = withRequestTraceContext({}, activeTraceparent);
    expect(parts(first).traceId).not.toBe(parts(second).traceId);
  });

  it('keeps the span already active (the http instrumentation’s server span)', () => {
    const server = tracer.startSpan('server');
    const inner = context.with(trace.setSpan(context.active(), server), () =>
      withRequestTraceContext({ traceparent: PARENT }, activeTraceparent),
    );
    expect(parts(inner).spanId).toBe(server.spanContext().spanId);
  });
});
