/**
 * The vault contract. Real phone numbers and message bodies are stored only sealed
 * (envelope-encrypted under a per-tenant data key, bound to their record); lookups by a
 * real number go through a keyed blind index; anything that leaves the vault for logs,
 * spans, metrics, queues or webhooks carries a token or a masked form instead.
 *
 * Implementations load a tenant's keys once (I/O) and then seal/open synchronously, so a
 * batch of a thousand rows costs a thousand AES-GCM calls, not a thousand round trips.
 */

/**
 * The key scope of data no tenant owns yet (inbound messages before routing) and of the
 * audit chain's key.
 */
export const SYSTEM_SCOPE = '00000000-0000-0000-0000-000000000000';

/** Which field of which record a sealed value belongs to; bound as AES-GCM associated data. */
export interface SealBinding {
  /** The record's id (message id, participant id, ...). */
  recordId: string;
  /** The column or field name, e.g. "to_number". */
  field: string;
}

/** Kinds of token that stand in for a sensitive value outside the vault. */
export type TokenKind = 'pn' | 'body';

export interface TenantVault {
  readonly tenantId: string;
  /** The data key version seal() uses now (stored beside sealed values for re-encryption); null once shredded. */
  readonly activeVersion: number | null;
  /** Encrypt a value for storage; the result carries its key version. */
  seal(binding: SealBinding, plaintext: string): Buffer;
  /**
   * Decrypt a sealed value. Throws a MasklineError `vault_unavailable` (or `tenant_keys_destroyed`) when its key was
   * destroyed (crypto-shredded) and `vault_integrity` when it was altered or moved to
   * another record.
   */
  open(binding: SealBinding, sealed: Buffer): string;
  /** Keyed digest for equality lookups by a real value without decrypting (per tenant). */
  blindIndex(value: string): Buffer;
  /** Stable, non-reversible stand-in for logs, spans and webhooks, e.g. `pn_3kq9...`. */
  token(kind: TokenKind, value: string): string;
}

export interface Vault {
  /**
   * The tenant's keys, loaded (and created on first use) once and cached. `versions`
   * names key versions about to be opened (from stored key_version columns): a cached
   * copy that lacks one is reloaded, so a rotation elsewhere never makes reads fail.
   */
  forTenant(tenantId: string, versions?: Iterable<number | null>): Promise<TenantVault>;
  /** Open one sealed value of a tenant, loading its key version first if this process lacks it. */
  openFor(tenantId: string, binding: SealBinding, sealed: Buffer): Promise<string>;
}
