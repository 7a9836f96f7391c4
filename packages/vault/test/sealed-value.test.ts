import { createSecretKey, randomBytes } from 'node:crypto';
import { MasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { LoadedTenantVault } from '../src/keys/loaded-tenant-vault.js';
import { openWith, SEALED_FORMAT, sealedKeyVersion, sealWith } from '../src/sealed-value.js';

const tenant = '0193c8e4-0000-7000-8000-000000000001';
const key = createSecretKey(randomBytes(32));
const binding = { recordId: '0193c8e4-1111-7000-8000-000000000001', field: 'to_number' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof MasklineError ? error.code : 'not-a-maskline-error';
  }
  return undefined;
}

describe('sealed values', () => {
  it('round-trips text, including non-Latin scripts, and records the key version', () => {
    const text = '【京东】您的验证码5026,该验证码5分钟内有效 +8613812345678';
    const sealed = sealWith(key, 7, tenant, binding, text);
    expect(sealed[0]).toBe(SEALED_FORMAT);
    expect(sealedKeyVersion(sealed)).toBe(7);
    expect(sealed.includes(Buffer.from('8613812345678'))).toBe(false);
    expect(openWith(key, tenant, binding, sealed)).toBe(text);
  });

  it('uses a fresh nonce each time: the same value never seals to the same bytes', () => {
    const a = sealWith(key, 1, tenant, binding, '+447911123456');
    const b = sealWith(key, 1, tenant, binding, '+447911123456');
    expect(a.equals(b)).toBe(false);
  });

  it('refuses a value moved to another record, field or tenant (associated data)', () => {
    const sealed = sealWith(key, 1, tenant, binding, '+447911123456');
    expect(codeOf(() => openWith(key, tenant, { ...binding, recordId: 'other' }, sealed))).toBe(
      'vault_integrity',
    );
    expect(codeOf(() => openWith(key, tenant, { ...binding, field: 'from_number' }, sealed))).toBe(
      'vault_integrity',
    );
    expect(codeOf(() => openWith(key, `${tenant.slice(0, -1)}2`, binding, sealed))).toBe('vault_integrity');
  });

  it('refuses any flipped bit, in header, nonce, ciphertext or tag', () => {
    const sealed = sealWith(key, 1, tenant, binding, 'hello');
    for (const index of [2, 6, 18, sealed.length - 1]) {
      const altered = Buffer.from(sealed);
      altered[index]! ^= 0x01;
      const code = codeOf(() => openWith(key, tenant, binding, altered));
      expect(code).toBe('vault_integrity');
    }
  });

  it('rejects values too short or of an unknown format', () => {
    expect(codeOf(() => sealedKeyVersion(Buffer.from([1, 0, 0])))).toBe('vault_integrity');
    const sealed = sealWith(key, 1, tenant, binding, 'x');
    sealed[0] = 0x02;
    expect(codeOf(() => sealedKeyVersion(sealed))).toBe('vault_integrity');
  });
});

describe('a loaded tenant vault', () => {
  const indexKey = createSecretKey(randomBytes(32));
  const vault = new LoadedTenantVault(
    tenant,
    new Map([
      [1, createSecretKey(randomBytes(32))],
      [2, createSecretKey(randomBytes(32))],
    ]),
    2,
    indexKey,
    createSecretKey(randomBytes(32)),
  );

  it('seals with the active version and opens every version it holds', () => {
    const sealed = vault.seal(binding, 'body');
    expect(sealedKeyVersion(sealed)).toBe(2);
    expect(vault.open(binding, sealed)).toBe('body');
  });

  it('names a missing key version as vault_unavailable', () => {
    const foreign = sealWith(createSecretKey(randomBytes(32)), 9, tenant, binding, 'x');
    expect(codeOf(() => vault.open(binding, foreign))).toBe('vault_unavailable');
  });

  it('gives deterministic blind indexes and tokens that reveal nothing of the value', () => {
    expect(vault.blindIndex('+447911123456').equals(vault.blindIndex('+447911123456'))).toBe(true);
    expect(vault.blindIndex('+447911123456').equals(vault.blindIndex('+447911123457'))).toBe(false);
    const token = vault.token('pn', '+447911123456');
    expect(token).toMatch(/^pn_[a-z2-7]{24}$/);
    expect(token).toBe(vault.token('pn', '+447911123456'));
    expect(token).not.toContain('7911');
    expect(vault.token('body', '+447911123456')).not.toBe(`body_${token.slice(3)}`);
  });

  it('refuses everything once its keys are destroyed', () => {
    const shredded = new LoadedTenantVault(tenant, new Map(), null, null, null);
    expect(codeOf(() => shredded.seal(binding, 'x'))).toBe('tenant_keys_destroyed');
    expect(codeOf(() => shredded.blindIndex('x'))).toBe('tenant_keys_destroyed');
    expect(codeOf(() => shredded.token('pn', 'x'))).toBe('tenant_keys_destroyed');
  });
});

describe('nonces', () => {
  it('never repeat across many seals (the pooled draw refills correctly)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const sealed = sealWith(key, 1, tenant, binding, 'x');
      seen.add(sealed.subarray(5, 17).toString('hex'));
    }
    expect(seen.size).toBe(5000);
  });
});
