import { join } from 'node:path';
import { createKeyProvider, pkcs11Options, type VaultConfig, vaultConfigFrom } from '@maskline/vault';

/**
 * The vault settings `npm start` gives the apps, taken from the environment as the apps
 * take them: VAULT_KEY_PROVIDER=pkcs11 with PKCS11_LIBRARY, PKCS11_TOKEN_LABEL,
 * PKCS11_PIN and PKCS11_KEY_LABEL (plus SOFTHSM2_CONF for SoftHSM2), or by default the
 * local keyring under the stack's data directory (created on first start, mode 0600).
 */
export function stackVaultEnv(env: NodeJS.ProcessEnv, dataDir: string): Record<string, string> {
  const config = vaultConfigFrom({
    ...env,
    VAULT_KEYRING_PATH: env.VAULT_KEYRING_PATH ?? join(dataDir, 'secrets', 'keyring.json'),
  });
  const common = { VAULT_CACHE_TTL_MS: String(config.VAULT_CACHE_TTL_MS) };
  if (config.VAULT_KEY_PROVIDER === 'pkcs11') {
    const options = pkcs11Options(config);
    return {
      ...common,
      VAULT_KEY_PROVIDER: 'pkcs11',
      PKCS11_LIBRARY: options.library,
      PKCS11_TOKEN_LABEL: options.tokenLabel,
      PKCS11_PIN: options.pin,
      PKCS11_KEY_LABEL: options.keyLabel,
      ...(env.SOFTHSM2_CONF ? { SOFTHSM2_CONF: env.SOFTHSM2_CONF } : {}),
    };
  }
  if (config.MASKLINE_KEYRING)
    return { ...common, VAULT_KEY_PROVIDER: 'local', MASKLINE_KEYRING: config.MASKLINE_KEYRING };
  return { ...common, VAULT_KEY_PROVIDER: 'local', VAULT_KEYRING_PATH: config.VAULT_KEYRING_PATH };
}

/**
 * Opens the key provider once before the apps start, so a missing token or KEK stops
 * `npm start` with the error that names it instead of three failing apps.
 */
export async function checkStackKeyProvider(vaultEnv: Record<string, string>): Promise<string> {
  const config: VaultConfig = vaultConfigFrom(vaultEnv);
  const provider = createKeyProvider(config);
  try {
    await provider.checkHealth?.();
    return provider.activeKekId();
  } finally {
    await provider.close?.();
  }
}
