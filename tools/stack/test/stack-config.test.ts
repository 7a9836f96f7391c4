import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadOrCreateSecrets, loadStackConfig } from '../src/stack-config.js';

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

describe('loadOrCreateSecrets', () => {
  it('creates an idempotency secret apart from the pepper, and adds one to an older secrets file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-stack-'));
    try {
      const { secrets } = loadOrCreateSecrets(dir);
      expect(secrets.idempotencyKeySecret.length).toBeGreaterThanOrEqual(16);
      expect(secrets.idempotencyKeySecret).not.toBe(secrets.apiKeyPepper);
      expect(loadOrCreateSecrets(dir).secrets).toEqual(secrets);

      writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ apiKeyPepper: 'p'.repeat(32) }));
      const upgraded = loadOrCreateSecrets(dir).secrets;
      expect(upgraded.apiKeyPepper).toBe('p'.repeat(32));
      expect(upgraded.idempotencyKeySecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).idempotencyKeySecret).toBe(
        upgraded.idempotencyKeySecret,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
