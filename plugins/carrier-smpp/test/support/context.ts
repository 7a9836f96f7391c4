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
    secrets: {},
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

/** Fast timings for tests; override per test. */
export function testConfig(port: number, overrides: Partial<SmppConfigInput> = {}) {
  return smppCarrierPlugin.configSchema.parse({
    host: '127.0.0.1',
    port,
    systemId: 'maskline',
    password: 'secret',
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
