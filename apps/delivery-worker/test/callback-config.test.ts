import { describe, expect, it } from 'vitest';
import { callbackBaseUrl, loadDeliveryWorkerConfig } from '../src/config.js';

const base = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  REDIS_URL: 'redis://127.0.0.1:6379',
  CARRIERS: JSON.stringify([{ id: 'tw', plugin: 'twilio' }]),
};

describe('callback server config', () => {
  it('serves no callbacks without a port', () => {
    const config = loadDeliveryWorkerConfig(base);
    expect(callbackBaseUrl(config)).toBeUndefined();
    expect(config.CARRIER_CALLBACK_BODY_LIMIT).toBe(65_536);
    expect(config.CARRIER_CALLBACK_REPLAY_WINDOW_MS).toBe(300_000);
  });

  it('defaults the public URL to host and port, and drops a trailing slash from a given one', () => {
    expect(callbackBaseUrl(loadDeliveryWorkerConfig({ ...base, CARRIER_CALLBACK_PORT: '8099' }))).toBe(
      'http://127.0.0.1:8099',
    );
    const behindProxy = loadDeliveryWorkerConfig({
      ...base,
      CARRIER_CALLBACK_PORT: '8099',
      CARRIER_CALLBACK_BASE_URL: 'https://hooks.example.org/maskline/',
    });
    expect(callbackBaseUrl(behindProxy)).toBe('https://hooks.example.org/maskline');
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() =>
      loadDeliveryWorkerConfig({
        ...base,
        CARRIER_CALLBACK_PORT: '8099',
        CARRIER_CALLBACK_BASE_URL: 'ftp://x',
      }),
    ).toThrow(/CARRIER_CALLBACK_BASE_URL/);
  });
});
