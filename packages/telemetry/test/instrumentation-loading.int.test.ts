import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const probe = fileURLToPath(new URL('./fixtures/patch-probe.mjs', import.meta.url));

/** Starts telemetry in a fresh process (from the package's build, as the apps do). */
async function patchedModules(env: Record<string, string>): Promise<Record<string, boolean>> {
  const { OTEL_EXPORTER_OTLP_ENDPOINT: _, ...inherited } = process.env;
  const { stdout } = await promisify(execFile)(process.execPath, [probe], { env: { ...inherited, ...env } });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, boolean>;
}

describe('instrumentations load only when an exporter is configured', () => {
  it('leaves http, pg and ioredis unpatched without an exporter', async () => {
    expect(await patchedModules({})).toEqual({
      exporting: false,
      http: false,
      httpRequest: false,
      pg: false,
      pgPool: false,
      ioredis: false,
    });
  });

  it('patches them when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    // Nothing listens there; the probe exits before any export is attempted.
    expect(await patchedModules({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })).toEqual({
      exporting: true,
      http: true,
      httpRequest: true,
      pg: true,
      pgPool: true,
      ioredis: true,
    });
  });
});
