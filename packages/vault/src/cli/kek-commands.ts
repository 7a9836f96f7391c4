import type { PgVault } from '../pg-vault.js';
import type { KeyProvider } from '../providers/key-provider.js';
import { LocalKeyring } from '../providers/local-keyring.js';

export interface KekListing {
  kekId: string;
  /** New keys are wrapped with it. */
  current: boolean;
  /** A rotation moving keys onto it has not finished (rerun rotate-kek). */
  rotationPending: boolean;
  /** Live (not destroyed) tenant keys it wraps. */
  keys: number;
  /** Whether the key provider holds it (null: this provider cannot list its KEKs). */
  held: boolean | null;
}

/** `list-keks`: every KEK the provider holds or a stored key names. */
export async function listKeks(vault: PgVault, provider: KeyProvider): Promise<KekListing[]> {
  if (provider instanceof LocalKeyring) provider.refresh();
  const counts = await vault.keys.countByKek();
  const held = provider instanceof LocalKeyring ? provider.kekIds() : null;
  const pending = provider instanceof LocalKeyring ? provider.pendingRotation() : null;
  const ids = new Set([...(held ?? [provider.activeKekId()]), ...counts.keys()]);
  return [...ids]
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((kekId) => ({
      kekId,
      current: kekId === provider.activeKekId(),
      rotationPending: kekId === pending,
      keys: counts.get(kekId) ?? 0,
      held: held ? held.includes(kekId) : kekId === provider.activeKekId() ? true : null,
    }));
}

export type DestroyKekOutcome =
  | { destroyed: true }
  | { destroyed: false; reason: 'kek_current' | 'kek_in_use' | 'kek_unknown' | 'unsupported'; keys?: number };

/**
 * `destroy-kek`: remove a KEK from the keyring (or the HSM) for good. Refused for the current KEK (or
 * the target of an unfinished rotation) and while any stored key is wrapped under it, so
 * a KEK leaves the keyring only after no committed key uses it. Audited (`kek.destroyed`).
 */
export async function destroyKek(
  vault: PgVault,
  provider: KeyProvider,
  kekId: string,
): Promise<DestroyKekOutcome> {
  if (!provider.destroyKek) return { destroyed: false, reason: 'unsupported' };
  if (provider instanceof LocalKeyring) provider.refresh();
  const pending = provider instanceof LocalKeyring ? provider.pendingRotation() : null;
  if (kekId === provider.activeKekId() || kekId === pending) {
    return { destroyed: false, reason: 'kek_current' };
  }
  const keys = (await vault.keys.countByKek()).get(kekId) ?? 0;
  if (keys > 0) return { destroyed: false, reason: 'kek_in_use', keys };
  if (!provider.destroyKek(kekId)) return { destroyed: false, reason: 'kek_unknown' };
  await vault.record({ tenantId: null, action: 'kek.destroyed', subject: kekId, details: {} });
  return { destroyed: true };
}
