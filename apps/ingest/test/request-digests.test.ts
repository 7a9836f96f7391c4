import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../src/config.js';
import { digestKeyOf, RequestDigests } from '../src/idempotency/request-digests.js';

const PEPPER = 'pepper-pepper-pepper-0123';
const SECRET = 'idempotency-secret-0123456789';
const hmac = (key: string | Buffer, fields: unknown[]) =>
  createHmac('sha256', key).update(JSON.stringify(fields)).digest();

describe('RequestDigests: the idempotency digest key is not the API-key pepper', () => {
  const fields = ['+447911123456', 'Maskline', 'hello'];

  it('keys digests with IDEMPOTENCY_KEY_SECRET when set', () => {
    const digests = RequestDigests.fromConfig({
      API_KEY_PEPPER: PEPPER,
      IDEMPOTENCY_KEY_SECRET: SECRET,
      IDEMPOTENCY_LEGACY_DIGESTS: false,
    });
    const { requestDigest, legacyRequestDigest } = digests.of(fields);
    expect(requestDigest.equals(hmac(SECRET, fields))).toBe(true);
    expect(requestDigest.equals(hmac(PEPPER, fields))).toBe(false);
    expect(legacyRequestDigest).toBeNull();
  });

  it('derives a distinct key from the pepper with HKDF when unset', () => {
    const key = digestKeyOf({ API_KEY_PEPPER: PEPPER });
    expect(key).toHaveLength(32);
    expect(key.equals(Buffer.from(PEPPER))).toBe(false);
    expect(digestKeyOf({ API_KEY_PEPPER: `${PEPPER}x` }).equals(key)).toBe(false);
    const { requestDigest } = RequestDigests.fromConfig({
      API_KEY_PEPPER: PEPPER,
      IDEMPOTENCY_LEGACY_DIGESTS: false,
    }).of(fields);
    expect(requestDigest.equals(hmac(key, fields))).toBe(true);
    expect(requestDigest.equals(hmac(PEPPER, fields))).toBe(false);
  });

  it('also gives the pepper-keyed digest of rows written before the split while legacy digests are on', () => {
    const { requestDigest, legacyRequestDigest } = RequestDigests.fromConfig({
      API_KEY_PEPPER: PEPPER,
      IDEMPOTENCY_KEY_SECRET: SECRET,
      IDEMPOTENCY_LEGACY_DIGESTS: true,
    }).of(fields);
    expect(legacyRequestDigest?.equals(hmac(PEPPER, fields))).toBe(true);
    expect(requestDigest.equals(hmac(SECRET, fields))).toBe(true);
  });
});

describe('ingest configuration: IDEMPOTENCY_KEY_SECRET', () => {
  const env = {
    DATABASE_URL: 'postgres://x',
    REDIS_URL: 'redis://x',
    API_KEY_PEPPER: PEPPER,
    CARRIERS: JSON.stringify([{ id: 'sim', plugin: 'smpp' }]),
  };

  it('is optional, with legacy digests honoured by default', () => {
    const config = loadIngestConfig(env);
    expect(config.IDEMPOTENCY_KEY_SECRET).toBeUndefined();
    expect(config.IDEMPOTENCY_LEGACY_DIGESTS).toBe(true);
    expect(loadIngestConfig({ ...env, IDEMPOTENCY_LEGACY_DIGESTS: '0' }).IDEMPOTENCY_LEGACY_DIGESTS).toBe(
      false,
    );
  });

  it('must be at least 16 characters and differ from the pepper, never echoing either', () => {
    expect(loadIngestConfig({ ...env, IDEMPOTENCY_KEY_SECRET: SECRET }).IDEMPOTENCY_KEY_SECRET).toBe(SECRET);
    expect(() => loadIngestConfig({ ...env, IDEMPOTENCY_KEY_SECRET: 'short' })).toThrow(
      /IDEMPOTENCY_KEY_SECRET/,
    );
    let message = '';
    try {
      loadIngestConfig({ ...env, IDEMPOTENCY_KEY_SECRET: PEPPER });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/IDEMPOTENCY_KEY_SECRET: must differ from API_KEY_PEPPER/);
    expect(message).not.toContain(PEPPER);
  });
});
