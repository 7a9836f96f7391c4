import { type CarrierEvent, type PluginContext, silentLogger, systemClock } from '@maskline/core';
import { createPluginHttpClient } from '@maskline/plugin-sdk';
import { trace } from '@opentelemetry/api';
import { type SmppConfigInput, smppCarrierPlugin } from '../../src/index.js';

export interface TestContext extends PluginContext {
  published: CarrierEvent[];
  /** Replace to control publish (e.g. hold it open, or reject). */
  publish: (event: CarrierEvent) => Promise<void>;
}

export function testContext(): TestContext {
  const ctx: TestContext = {
    carrierId: 'test',
    logger: silentLogger,
    tracer: trace.getTracer('carrier-smpp-test'),
    clock: systemClock,
    secrets: { password: 'secret' },
    http: createPluginHttpClient(),
    published: [],
    publish: async () => {},
    events: {
      publish: async (event) => {
        await ctx.publish(event);
        ctx.published.push(event);
      },
    },
  };
  return ctx;
}

/** Config overrides of a test, plus the bind password (a secret, not config). */
export type SmppTestOverrides = Partial<SmppConfigInput> & { password?: string };

/** The context with its `password` secret replaced when the overrides name one. */
export function withPassword(ctx: TestContext, password: string | undefined): TestContext {
  if (password === undefined) return ctx;
  // Its events still go to `ctx` (published, publish hook): only the secret differs.
  return { ...ctx, secrets: { ...ctx.secrets, password } };
}

/** Fast timings for tests; override per test. */
export function testConfig(port: number, overrides: Partial<SmppConfigInput> = {}) {
  return smppCarrierPlugin.configSchema.parse({
    host: '127.0.0.1',
    port,
    systemId: 'maskline',
    requestTimeoutMs: 500,
    enquireLinkIntervalMs: 60_000,
    enquireLinkTimeoutMs: 200,
    reconnectMinMs: 10,
    reconnectMaxMs: 50,
    connectTimeoutMs: 500,
    closeTimeoutMs: 300,
    ...overrides,
  });
}
