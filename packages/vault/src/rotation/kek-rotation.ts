import { failpoint } from '../durability/failpoint.js';
import type { PgVault } from '../pg-vault.js';
import type { KeyProvider } from '../providers/key-provider.js';
import { LocalKeyring } from '../providers/local-keyring.js';
import { Pkcs11KeyProvider } from '../providers/pkcs11-key-provider.js';

export interface KekRotationOptions {
  /** PKCS#11: the label of the new KEK (rerun with the same label to resume). */
  label?: string;
  /** Keys re-wrapped per query (default 100). */
  batch?: number;
  /**
   * How long to wait after a pass finds nothing left before a last check (default 1 s): a
   * process that read the keyring just before the new KEK became active may still commit
   * a key wrapped under the old one.
   */
  settleMs?: number;
}

export interface KekRotationResult {
  kekId: string;
  /** A rerun that finished an interrupted rotation instead of starting another. */
  resumed: boolean;
  rewrapped: number;
}

export class KekRotationRefused extends Error {}

/**
 * `rotate-kek`. Local keyring, in this order, each keyring write durable (fsync of the
 * file and its folder): 1. the new KEK is added, not active, marked pending; 2. it is made
 * active (running processes wrap new keys under it from their next key creation); 3.
 * every stored key is re-wrapped under it, with a last pass after `settleMs` for keys
 * created during the rotation; 4. the pending mark is cleared. A crash anywhere leaves
 * every committed key unwrappable (no key is wrapped under a KEK before the keyring
 * durably holds it; the old KEK stays), and a rerun resumes from the pending mark
 * instead of adding yet another KEK. PKCS#11: the new label is created in the token (or
 * found, on a rerun with the same label) and the keys re-wrapped.
 */
export async function rotateKek(
  vault: PgVault,
  provider: KeyProvider,
  options: KekRotationOptions = {},
): Promise<KekRotationResult> {
  let kekId: string;
  let resumed: boolean;
  if (provider instanceof LocalKeyring) {
    resumed = provider.pendingRotation() !== null;
    kekId = provider.beginRotation();
    provider.activatePending();
  } else if (provider instanceof Pkcs11KeyProvider) {
    if (!options.label) throw new KekRotationRefused('--label <new key label> is required for pkcs11');
    resumed = (await vault.keys.countByKek()).has(`pkcs11:${options.label}`);
    kekId = provider.rotate(options.label);
  } else {
    throw new KekRotationRefused('this key provider cannot rotate');
  }
  await vault.record({ tenantId: null, action: 'kek.rotated', subject: kekId, details: { resumed } });
  const rewrapped = await rewrapUntilSettled(vault, options.batch ?? 100, options.settleMs ?? 1000);
  failpoint('rewrap:done');
  if (provider instanceof LocalKeyring) provider.finishRotation();
  return { kekId, resumed, rewrapped };
}

async function rewrapUntilSettled(vault: PgVault, batch: number, settleMs: number): Promise<number> {
  let total = await vault.rewrapKeys(batch);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const late = await vault.rewrapKeys(batch);
    if (late === 0) return total;
    total += late;
  }
}
