import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/**
 * The head sampler from the standard variables: `OTEL_TRACES_SAMPLER` (default
 * `parentbased_traceidratio`) and `OTEL_TRACES_SAMPLER_ARG` (the ratio, 0 to 1, default 1).
 * Parent-based: a request or job that comes with a trace context keeps its parent's
 * decision, so one message's trace is whole or absent, never partial. An unknown sampler
 * or a ratio outside [0, 1] is a startup error naming the variable (never its value).
 */
export function samplerFromEnv(env: Record<string, string | undefined> = process.env): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER || 'parentbased_traceidratio').trim().toLowerCase();
  if (!(SAMPLERS as readonly string[]).includes(name)) {
    throw new Error(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}`);
  }
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = arg ? Number(arg) : 1;
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new Error('OTEL_TRACES_SAMPLER_ARG must be a ratio between 0 and 1');
  }
  // A ratio of 1 is always on (the SDK's ratio sampler drops one trace id in 2^32 even at 1).
  const root: Sampler =
    name.endsWith('always_on') || (name.endsWith('traceidratio') && ratio >= 1)
      ? new AlwaysOnSampler()
      : name.endsWith('always_off')
        ? new AlwaysOffSampler()
        : new TraceIdRatioBasedSampler(ratio);
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}
