import { type CarrierPlugin, type InboundEvent, MasklineError, type ReceiptEvent } from '@maskline/core';
import { afterEach, expect } from 'vitest';
import { smppCarrierPlugin } from '../../src/index.js';
import {
  type SmppTestOverrides,
  type TestContext,
  testConfig,
  testContext,
  withPassword,
} from './context.js';
import { TestSmsc, type TestSmscOptions } from './test-smsc.js';

export const request = {
  messageId: 'msg_test_1',
  tenantId: 'tenant_test',
  to: '+447700900123',
  from: '+15550001111',
  body: 'Your code is 1234',
  requestReceipt: true,
};

const live: { smsc?: TestSmsc; plugins: CarrierPlugin[] } = { plugins: [] };

/** Register the afterEach that closes every plugin and test SMSC a test started. */
export function closeAfterEach(): void {
  afterEach(async () => {
    await closePlugins();
    await live.smsc?.close();
    live.smsc = undefined;
  });
}

export async function startSmsc(options: TestSmscOptions = {}): Promise<TestSmsc> {
  live.smsc = await TestSmsc.start(options);
  return live.smsc;
}

export function createPlugin(
  ctx: TestContext,
  port: number,
  overrides: SmppTestOverrides = {},
): CarrierPlugin {
  const { password, ...config } = overrides;
  const plugin = smppCarrierPlugin.create(withPassword(ctx, password), testConfig(port, config));
  live.plugins.push(plugin);
  return plugin;
}

export async function setup(
  smscOptions: TestSmscOptions = {},
  overrides: SmppTestOverrides = {},
): Promise<{ smsc: TestSmsc; plugin: CarrierPlugin; ctx: TestContext }> {
  const smsc = await startSmsc(smscOptions);
  const ctx = testContext();
  const plugin = createPlugin(ctx, smsc.port, overrides);
  await plugin.start();
  return { smsc, plugin, ctx };
}

export async function rejection(promise: Promise<unknown>): Promise<MasklineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MasklineError);
  return error as MasklineError;
}

/** Close every plugin created through this harness (before closing the SMSC they talk to). */
export async function closePlugins(): Promise<void> {
  await Promise.all(live.plugins.splice(0).map((p) => p.close()));
}

/** Create a plugin against an SMSC on `port` and start it; closePlugins() closes it. */
export async function startPlugin(
  ctx: TestContext,
  port: number,
  overrides: SmppTestOverrides = {},
): Promise<CarrierPlugin> {
  const plugin = createPlugin(ctx, port, overrides);
  await plugin.start();
  return plugin;
}

export const receiptsOf = (ctx: TestContext) =>
  ctx.published.filter((e): e is ReceiptEvent => e.type === 'receipt');
export const inboundOf = (ctx: TestContext) =>
  ctx.published.filter((e): e is InboundEvent => e.type === 'inbound');
