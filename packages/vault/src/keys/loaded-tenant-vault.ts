import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { MasklineError, type SealBinding, type TenantVault, type TokenKind } from '@maskline/core';
import { openWith, sealedKeyVersion, sealWith } from '../sealed-value.js';

/** A tenant's unwrapped keys, held in memory; every operation is synchronous. */
export class LoadedTenantVault implements TenantVault {
  constructor(
    readonly tenantId: string,
    /** Every data key version that is not destroyed. */
    private readonly dataKeys: ReadonlyMap<number, KeyObject>,
    /** The version new values are sealed with; null when the tenant's keys were destroyed. */
    readonly activeVersion: number | null,
    private readonly indexKey: KeyObject | null,
    private readonly tokenKey: KeyObject | null,
    /** Data key versions known to be destroyed (no reload can bring them back). */
    private readonly destroyed: ReadonlySet<number> = new Set(),
  ) {}

  knowsDestroyed(version: number): boolean {
    return this.destroyed.has(version);
  }

  seal(binding: SealBinding, plaintext: string): Buffer {
    const version = this.activeVersion;
    const key = version === null ? undefined : this.dataKeys.get(version);
    if (version === null || !key) throw shredded(this.tenantId);
    return sealWith(key, version, this.tenantId, binding, plaintext);
  }

  open(binding: SealBinding, sealed: Buffer): string {
    const version = sealedKeyVersion(sealed);
    const key = this.dataKeys.get(version);
    if (!key && this.activeVersion === null) throw shredded(this.tenantId);
    if (!key) {
      throw new MasklineError('vault_unavailable', {
        message: `The data key (version ${version}) that sealed ${binding.field} is not available.`,
        details: { field: binding.field, keyVersion: version },
      });
    }
    return openWith(key, this.tenantId, binding, sealed);
  }

  /** True when this vault can open values sealed with `version`. */
  hasVersion(version: number): boolean {
    return this.dataKeys.has(version);
  }

  blindIndex(value: string): Buffer {
    if (!this.indexKey) throw shredded(this.tenantId);
    return createHmac('sha256', this.indexKey).update(value, 'utf8').digest();
  }

  /** A key derived from the tenant's index key for another keyed purpose (e.g. the audit chain). */
  derivedKey(info: string): KeyObject {
    if (!this.indexKey) throw shredded(this.tenantId);
    return derive(this.indexKey, info);
  }

  token(kind: TokenKind, value: string): string {
    if (!this.tokenKey) throw shredded(this.tenantId);
    const digest = createHmac('sha256', this.tokenKey).update(`${kind}\u0000${value}`, 'utf8').digest();
    return `${kind}_${base32(digest.subarray(0, 15))}`;
  }
}

function shredded(tenantId: string): MasklineError {
  return new MasklineError('tenant_keys_destroyed', {
    message: 'This tenant has no usable keys (they were destroyed).',
    details: { tenantId },
  });
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, no padding (15 bytes -> 24 characters). */
function base32(bytes: Buffer): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** HKDF-SHA256 of a key for a named purpose, so one stored key never serves two uses directly. */
export function derive(key: KeyObject, info: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', key.export(), Buffer.alloc(0), info, 32)));
}
