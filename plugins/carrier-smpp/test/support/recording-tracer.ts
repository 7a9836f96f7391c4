import type { Attributes, AttributeValue, Span, SpanStatus, Tracer } from '@opentelemetry/api';

export interface RecordedSpan {
  name: string;
  attributes: Attributes;
  status?: SpanStatus;
  ended: boolean;
}

/** A Tracer that records startActiveSpan calls (the only entry point the plugin uses). Spans
 * support what the plugin calls: setAttribute(s), setStatus, end. */
export function recordingTracer(): { tracer: Tracer; spans: RecordedSpan[] } {
  const spans: RecordedSpan[] = [];
  const startActiveSpan = (name: string, ...args: unknown[]) => {
    const fn = args.at(-1) as (span: Span) => unknown;
    const options = (args.length > 1 ? args[0] : {}) as { attributes?: Attributes };
    const recorded: RecordedSpan = { name, attributes: { ...options.attributes }, ended: false };
    spans.push(recorded);
    const span = {
      setAttribute(key: string, value: AttributeValue) {
        recorded.attributes[key] = value;
        return span;
      },
      setAttributes(attributes: Attributes) {
        Object.assign(recorded.attributes, attributes);
        return span;
      },
      setStatus(status: SpanStatus) {
        recorded.status = status;
        return span;
      },
      end() {
        recorded.ended = true;
      },
    } as unknown as Span;
    return fn(span);
  };
  const tracer = { startActiveSpan, startSpan: () => undefined } as unknown as Tracer;
  return { tracer, spans };
}
