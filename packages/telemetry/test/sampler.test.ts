import { context, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { samplerFromEnv } from '../src/sampler.js';

// Its 32-bit chunks XOR to 0xffffffff: above every ratio's bound, sampled out below 1.
const ROOT_ID = 'ffffffff000000000000000000000000';
const decide = (env: Record<string, string>, parentSampled?: boolean) => {
  const ctx =
    parentSampled === undefined
      ? context.active()
      : trace.setSpanContext(context.active(), {
          traceId: '0af7651916cd43dd8448eb211c80319c',
          spanId: 'b7ad6b7169203331',
          traceFlags: parentSampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
          isRemote: true,
        });
  return samplerFromEnv(env).shouldSample(ctx, ROOT_ID, 'x', SpanKind.SERVER, {}, []).decision;
};

describe('samplerFromEnv', () => {
  it('defaults to parent-based, ratio 1: every root sampled', () => {
    expect(samplerFromEnv({}).toString()).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(decide({})).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('samples roots by ratio and follows the parent whatever the ratio', () => {
    const env = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' };
    expect(decide(env)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide({ ...env, OTEL_TRACES_SAMPLER_ARG: '0' }, true)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }, false)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide({ OTEL_TRACES_SAMPLER: 'always_off' })).toBe(SamplingDecision.NOT_RECORD);
    expect(decide({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' }, true)).toBe(
      SamplingDecision.NOT_RECORD,
    );
  });

  it('refuses an unknown sampler or a ratio outside 0..1, naming the variable only', () => {
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toThrow(
      /^OTEL_TRACES_SAMPLER must/,
    );
    for (const arg of ['1.5', '-0.1', 'half']) {
      expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER_ARG: arg })).toThrow(
        'OTEL_TRACES_SAMPLER_ARG must be a ratio between 0 and 1',
      );
    }
  });
});
