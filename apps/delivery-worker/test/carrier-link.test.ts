import type { CarrierHealth, CarrierPlugin, Logger } from '@maskline/core';
import { silentLogger } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { CarrierLink, type CarrierLinkOptions } from '../src/carriers/carrier-link.js';

/** A plugin whose start() and health are scripted per instance. */
function fakePlugin(
  start: () => Promise<void>,
  health: { current: CarrierHealth },
  closed: string[],
): CarrierPlugin {
  return {
    start,
    health: () => health.current,
    close: async () => {
      closed.push('closed');
    },
    submit: async () => ({ carrierMessageId: 'x', partIds: [], segments: 1 }),
  };
}

function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (_fields: unknown, message?: string) =>
    lines.push(`${level} ${message ?? ''}`);
  const logger: Logger = {
    ...silentLogger,
    info: log('info'),
    warn: log('warn'),
    child: () => logger,
  } as Logger;
  return logger;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await wait(10);
}

function linkWith(overrides: Partial<CarrierLinkOptions>): CarrierLink {
  return new CarrierLink({
    carrierId: 'c',
    createPlugin: () => {
      throw new Error('no plugin');
    },
    logger: silentLogger,
    submitTimeoutMs: 1_000,
    startTimeoutMs: 100,
    retryMinMs: 20,
    retryMaxMs: 40,
    healthCheckMs: 20,
    onUp: () => {},
    onDown: () => {},
    ...overrides,
  });
}

describe('CarrierLink', () => {
  it('abandons a start that hangs, retries with fresh instances, and reports up once one starts', async () => {
    const closed: string[] = [];
    const health = { current: { status: 'up' } as CarrierHealth };
    let instances = 0;
    const events: string[] = [];
    const lines: string[] = [];
    const link = linkWith({
      logger: recordingLogger(lines),
      // The first two hang (past startTimeoutMs), the third starts.
      createPlugin: () => {
        instances++;
        const hangs = instances <= 2;
        return fakePlugin(() => (hangs ? new Promise(() => {}) : Promise.resolve()), health, closed);
      },
      onUp: () => events.push('up'),
      onDown: () => events.push('down'),
    });
    await link.start(); // resolves after the first (timed out) attempt
    expect(link.health().status).toBe('down');
    await until(() => events.includes('up'));
    expect(instances).toBe(3);
    expect(closed).toHaveLength(2); // each abandoned instance was closed
    expect(events).toEqual(['down', 'up']);
    expect(lines.filter((l) => l.includes('carrier down'))).toHaveLength(1); // logged once per change

    // Health is watched after the start: down and back up are each reported once.
    health.current = { status: 'down', detail: '0/1 binds up' };
    await until(() => events.length === 3);
    health.current = { status: 'degraded', detail: '1/2 binds up' };
    await until(() => events.length === 4);
    expect(events).toEqual(['down', 'up', 'down', 'up']);
    await link.stop();
    expect(closed).toHaveLength(3);
  });

  it('stops retrying when stopped', async () => {
    let instances = 0;
    const link = linkWith({
      createPlugin: () => {
        instances++;
        return fakePlugin(() => Promise.reject(new Error('refused')), { current: { status: 'down' } }, []);
      },
    });
    await link.start();
    await link.stop();
    const after = instances;
    await wait(150);
    expect(instances).toBe(after);
  });
});
