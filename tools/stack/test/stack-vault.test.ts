import { describe, expect, it } from 'vitest';
import { stackVaultEnv } from '../src/stack-vault.js';

describe('npm start takes the key provider from the environment', () => {
  it('defaults to the local keyring under the data directory', () => {
    expect(stackVaultEnv({}, '/data')).toEqual({
      VAULT_KEY_PROVIDER: 'local',
      VAULT_KEYRING_PATH: '/data/secrets/keyring.json',
      VAULT_CACHE_TTL_MS: '30000',
    });
    expect(stackVaultEnv({ VAULT_KEYRING_PATH: '/elsewhere/k.json' }, '/data').VAULT_KEYRING_PATH).toBe(
      '/elsewhere/k.json',
    );
  });

  it('passes the PKCS#11 settings (and SoftHSM2 configuration) to the apps', () => {
    expect(
      stackVaultEnv(
        {
          VAULT_KEY_PROVIDER: 'pkcs11',
          PKCS11_LIBRARY: '/usr/lib/softhsm/libsofthsm2.so',
          PKCS11_TOKEN_LABEL: 'maskline',
          PKCS11_PIN: '1234',
          SOFTHSM2_CONF: '/data/softhsm2.conf',
          UNRELATED: 'x',
        },
        '/data',
      ),
    ).toEqual({
      VAULT_KEY_PROVIDER: 'pkcs11',
      PKCS11_LIBRARY: '/usr/lib/softhsm/libsofthsm2.so',
      PKCS11_TOKEN_LABEL: 'maskline',
      PKCS11_PIN: '1234',
      PKCS11_KEY_LABEL: 'maskline-kek',
      SOFTHSM2_CONF: '/data/softhsm2.conf',
      VAULT_CACHE_TTL_MS: '30000',
    });
  });

  it('names the missing PKCS#11 settings, and refuses an unknown provider', () => {
    expect(() => stackVaultEnv({ VAULT_KEY_PROVIDER: 'pkcs11', PKCS11_PIN: '1234' }, '/data')).toThrow(
      'VAULT_KEY_PROVIDER=pkcs11 needs PKCS11_LIBRARY, PKCS11_TOKEN_LABEL.',
    );
    expect(() => stackVaultEnv({ VAULT_KEY_PROVIDER: 'hsm' }, '/data')).toThrow(/VAULT_KEY_PROVIDER/);
  });
});
