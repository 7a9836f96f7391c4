import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadStackConfig } from '../src/stack-config.js';

describe('loadStackConfig', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('lets the local stack send webhooks to a receiver on localhost unless told not to', () => {
    vi.stubEnv('WEBHOOK_ALLOW_LOOPBACK', undefined);
    expect(loadStackConfig().webhookAllowLoopback).toBe('1');
    vi.stubEnv('WEBHOOK_ALLOW_LOOPBACK', '0');
    expect(loadStackConfig().webhookAllowLoopback).toBe('0');
  });

  it('refuses a port that is not a TCP port', () => {
    vi.stubEnv('MASKLINE_INGEST_PORT', '70000');
    expect(() => loadStackConfig()).toThrow('MASKLINE_INGEST_PORT must be a TCP port');
  });
});
