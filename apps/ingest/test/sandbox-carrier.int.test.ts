import type { CarrierSettings } from '@maskline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxCarrierOf } from '../src/config.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const carrier = (id: string, sandbox?: boolean): CarrierSettings => ({
  id,
  plugin: 'smpp',
  tps: 0,
  concurrency: 1,
  regions: [],
  secrets: {},
  config: {},
  ...(sandbox === undefined ? {} : { sandbox }),
});

describe('the sandbox carrier (SANDBOX_CARRIER)', () => {
  it('is the one named, if it is configured and marked sandbox', () => {
    const carriers = [carrier('live'), carrier('sim-a', true), carrier('sim-b', true)];
    expect(sandboxCarrierOf(carriers, 'sim-b')).toBe('sim-b');
    expect(() => sandboxCarrierOf(carriers, 'live')).toThrow(
      /SANDBOX_CARRIER: "live" is not marked "sandbox": true/,
    );
    expect(() => sandboxCarrierOf(carriers, 'nope')).toThrow(
      /SANDBOX_CARRIER: "nope" is not a configured carrier/,
    );
  });

  it('is the first sandbox carrier when none is named, and none without one', () => {
    expect(sandboxCarrierOf([carrier('live'), carrier('sim', true)], undefined)).toBe('sim');
    expect(sandboxCarrierOf([carrier('live'), carrier('other', false)], undefined)).toBeNull();
  });
});

describe('a test key on a gateway without a sandbox carrier (real app)', () => {
  let host: TestApp;

  beforeAll(async () => {
    host = await startTestApp({ rateLimitPerMinute: 10_000, sandboxCarrier: null });
  });
  afterAll(async () => {
    await host.close();
  });

  it('answers 503 sandbox_unavailable and stores nothing, while live keys send as usual', async () => {
    const created = await host.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { authorization: `Bearer ${host.apiKey}` },
      payload: { name: 'ci', scopes: ['messages:send'], environment: 'test' },
    });
    expect(created.statusCode).toBe(201);
    const message = { to: '+447911123456', from: 'Maskline', body: 'sandbox body' };
    const refused = await host.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${created.json().key}` },
      payload: message,
    });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.code).toBe('sandbox_unavailable');
    expect(JSON.stringify(refused.json())).not.toContain(message.to);
    const live = await host.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${host.apiKey}` },
      payload: message,
    });
    expect(live.statusCode).toBe(202);
    const rows = await host.db.pool.query('SELECT sandbox FROM messages');
    expect(rows.rows).toEqual([{ sandbox: false }]);
  });
});
