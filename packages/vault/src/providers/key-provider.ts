/**
 * Holds the key-encryption keys (KEKs) that wrap the tenants' data keys. The data keys
 * are stored wrapped in PostgreSQL; only a provider can unwrap them. Implementations:
 * a local keyring file (embedded default) and PKCS#11 (an HSM holds the KEK and it never
 * leaves the device).
 */
export interface WrappedKey {
  /** Which KEK wrapped it, e.g. "local:kek-2" or "pkcs11:maskline-kek". */
  kekId: string;
  wrapped: Buffer;
}

export interface KeyProvider {
  /** The KEK new data keys are wrapped with. */
  activeKekId(): string;
  wrap(dataKey: Buffer): Promise<WrappedKey>;
  /** Throws MasklineError vault_unavailable when the KEK is unknown or unreachable. */
  unwrap(key: WrappedKey): Promise<Buffer>;
  /**
   * Remove a KEK from the provider for good (`destroy-kek`; the caller has checked that it
   * is not current and that no stored key uses it). False when the provider does not hold
   * it. Absent: this provider cannot.
   */
  destroyKek?(kekId: string): boolean;
  /**
   * Readiness of the provider: resolves when the KEKs can be reached (keyring file readable
   * and holding the active KEK; PKCS#11 token present, session usable, KEK found), throws
   * MasklineError vault_unavailable naming what is missing. Cheap; see cachedHealthCheck.
   */
  checkHealth?(): Promise<void>;
  close?(): Promise<void>;
}
