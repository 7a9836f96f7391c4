import { MasklineError } from '@maskline/core';
import { z } from 'zod';
import type { KeyProvider } from './providers/key-provider.js';
import { LocalKeyring } from './providers/local-keyring.js';
import { Pkcs11KeyProvider, type Pkcs11Options } from './providers/pkcs11-key-provider.js';

/** Vault settings every app reads (merged into the common config). */
export const vaultConfigShape = {
  /** Where the key-encryption keys live: a local keyring or an HSM over PKCS#11. */
  VAULT_KEY_PROVIDER: z.enum(['local', 'pkcs11']).default('local'),
  /** Local keyring file; created (mode 0600, directory 0700) on first start. */
  VAULT_KEYRING_PATH: z.string().min(1).default('.maskline/secrets/keyring.json'),
  /** Or the keyring itself, as JSON (for platforms that inject secrets as variables). */
  MASKLINE_KEYRING: z.string().min(1).optional(),
  PKCS11_LIBRARY: z.string().min(1).optional(),
  PKCS11_TOKEN_LABEL: z.string().min(1).optional(),
  PKCS11_PIN: z.string().min(1).optional(),
  /** Label (and CKA_ID) of the KEK new data keys are wrapped with; `npm run vault -- create-kek` creates it. */
  PKCS11_KEY_LABEL: z.string().min(1).default('maskline-kek'),
  /** How long a process trusts its cached tenant keys before re-reading them. */
  VAULT_CACHE_TTL_MS: z.coerce.number().int().positive().default(30_000),
};

const vaultConfigSchema = z.object(vaultConfigShape);
export type VaultConfig = z.infer<typeof vaultConfigSchema>;

/** The vault settings from an environment (e.g. process.env); config_invalid names bad variables. */
export function vaultConfigFrom(env: Record<string, string | undefined>): VaultConfig {
  const parsed = vaultConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new MasklineError('config_invalid', {
      message: `Invalid vault settings: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}.`,
    });
  }
  return parsed.data;
}

/** The PKCS#11 settings, checked: names every missing variable. */
export function pkcs11Options(config: VaultConfig): Pkcs11Options {
  const missing = (['PKCS11_LIBRARY', 'PKCS11_TOKEN_LABEL', 'PKCS11_PIN'] as const).filter((k) => !config[k]);
  if (missing.length > 0) {
    throw new MasklineError('config_invalid', {
      message: `VAULT_KEY_PROVIDER=pkcs11 needs ${missing.join(', ')}.`,
    });
  }
  return {
    library: config.PKCS11_LIBRARY!,
    tokenLabel: config.PKCS11_TOKEN_LABEL!,
    pin: config.PKCS11_PIN!,
    keyLabel: config.PKCS11_KEY_LABEL,
  };
}

export function createKeyProvider(config: VaultConfig): KeyProvider {
  if (config.VAULT_KEY_PROVIDER === 'pkcs11') return Pkcs11KeyProvider.open(pkcs11Options(config));
  if (config.MASKLINE_KEYRING) return LocalKeyring.fromJson(config.MASKLINE_KEYRING);
  if (config.VAULT_KEYRING_PATH) return LocalKeyring.openOrCreate(config.VAULT_KEYRING_PATH);
  throw new MasklineError('config_invalid', {
    message:
      'VAULT_KEY_PROVIDER=local needs VAULT_KEYRING_PATH (a file, created on first start) or MASKLINE_KEYRING.',
  });
}
