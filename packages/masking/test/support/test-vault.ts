import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { MasklineError, type SealBinding, type TenantVault, type Vault } from '@maskline/core';

/** A small AES-256-GCM vault for unit tests: one random key pair per tenant, bound to the record. */
export class TestVault implements Vault {
  private readonly tenants = new Map<string, TenantVault>();

  async forTenant(tenantId: string): Promise<TenantVault> {
    let tv = this.tenants.get(tenantId);
    if (!tv) {
      tv = testTenantVault(tenantId);
      this.tenants.set(tenantId, tv);
    }
    return tv;
  }
}

export function testTenantVault(tenantId: string): TenantVault {
  const dataKey = randomBytes(32);
  const indexKey = randomBytes(32);
  const aad = (b: SealBinding) => Buffer.from(`${tenantId}\u0000${b.recordId}\u0000${b.field}`);
  return {
    tenantId,
    activeVersion: 1,
    seal(binding, plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', dataKey, iv).setAAD(aad(binding));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    open(binding, sealed) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', dataKey, sealed.subarray(0, 12)).setAAD(
          aad(binding),
        );
        decipher.setAuthTag(sealed.subarray(12, 28));
        return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new MasklineError('vault_integrity', { cause });
      }
    },
    blindIndex(value) {
      return createHmac('sha256', indexKey).update(`bi\u0000${value}`).digest();
    },
    token(kind, value) {
      return `${kind}_${createHmac('sha256', indexKey).update(`tk\u0000${value}`).digest('base64url').slice(0, 22)}`;
    },
  };
}
