import { PeriodicTask, runBackgroundCycle, untraced } from '@maskline/core';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extractTraceContext, withSpan } from '../src/index.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');
/** What an instrumentation (pg, ioredis) does per query: a span in the active context. */
const query = () => tracer.startSpan('pg.query', { kind: SpanKind.CLIENT }).end();
const MESSAGE_TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('background cycles', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
  });
  afterAll(() => {
    trace.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  it('records nothing for an idle poll, whatever it queries', async () => {
    const idle = async () => {
      query();
      query();
      return 0;
    };
    const task = new PeriodicTask(idle, 60_000, {
      name: 'outbox-reconciler',
      itemsOf: (n) => n,
    });
    await task.runOnce();
    await untraced(async () => query());
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('records a cycle that handled items as one root span, its queries not at all', async () => {
    const busy = async () => {
      query();
      return 3;
    };
    const task = new PeriodicTask(busy, 60_000, {
      name: 'carrier-event-sweep',
      itemsOf: (n) => n,
    });
    await task.runOnce();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['maskline.carrier-event-sweep.cycle']);
    expect(spans[0]!.parentSpanContext).toBeUndefined();
    expect(spans[0]!.attributes['maskline.cycle.items']).toBe(3);
  });

  it("continues a message's trace from inside a cycle, linked back to the cycle", async () => {
    await runBackgroundCycle(
      () =>
        withSpan(
          tracer,
          'maskline.webhook.post',
          { parent: extractTraceContext(MESSAGE_TRACE) },
          async () => {
            query();
          },
        ),
      { name: 'webhook-sweep', itemsOf: () => 1 },
    );
    const spans = exporter.getFinishedSpans();
    const byName = new Map(spans.map((s) => [s.name, s]));
    const cycle = byName.get('maskline.webhook-sweep.cycle')!;
    const post = byName.get('maskline.webhook.post')!;
    // The query inside the message's span is its child, recorded again (the parent was explicit).
    expect(byName.get('pg.query')?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(post.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(post.links.map((l) => l.context.spanId)).toEqual([cycle.spanContext().spanId]);
  });
});
