import { MasklineError } from '@maskline/core';
import { LocalKeyring } from '../providers/local-keyring.js';
import { Pkcs11KeyProvider } from '../providers/pkcs11-key-provider.js';
import { pkcs11Options, type VaultConfig } from '../vault-config.js';

/**
 * `npm run vault -- create-kek`: the KEK the apps will open. PKCS#11: an AES-256 key
 * labelled PKCS11_KEY_LABEL on the token, sensitive and not extractable (an existing key
 * of that label is kept, and refused if it allows extraction). Local: the keyring file
 * with its first KEK (the apps would also create it on first start).
 */
export function createKekCommand(config: VaultConfig): Record<string, unknown> {
  if (config.VAULT_KEY_PROVIDER === 'pkcs11') {
    const options = pkcs11Options(config);
    const { kekId, created } = Pkcs11KeyProvider.createKek(options);
    return {
      msg: created ? 'key-encryption key created' : 'key-encryption key exists',
      kekId,
      tokenLabel: options.tokenLabel,
      created,
    };
  }
  if (config.MASKLINE_KEYRING) {
    throw new MasklineError('config_invalid', {
      message: 'create-kek needs a keyring file (VAULT_KEYRING_PATH), not MASKLINE_KEYRING.',
    });
  }
  const keyring = LocalKeyring.openOrCreate(config.VAULT_KEYRING_PATH);
  return { msg: 'keyring ready', kekId: keyring.activeKekId(), path: config.VAULT_KEYRING_PATH };
}
