import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedHealthCheck } from '../src/providers/cached-health-check.js';
import { LocalKeyring } from '../src/providers/local-keyring.js';

const keyringPath = () => join(mkdtempSync(join(tmpdir(), 'keyring-health-')), 'secrets', 'keyring.json');

describe('the key providers report their health', () => {
  it('a keyring file is healthy while readable and holding the active KEK', async () => {
    const path = keyringPath();
    const keyring = LocalKeyring.openOrCreate(path);
    await expect(keyring.checkHealth()).resolves.toBeUndefined();

    // Another keyring (without this process's KEK) put in its place.
    writeFileSync(path, LocalKeyring.generate().toJson(), { mode: 0o600 });
    await expect(keyring.checkHealth()).rejects.toMatchObject({
      code: 'vault_unavailable',
      message: expect.stringContaining('no longer holds the active KEK local:kek-1'),
    });

    rmSync(path);
    await expect(keyring.checkHealth()).rejects.toMatchObject({
      code: 'vault_unavailable',
      message: expect.stringContaining(`The keyring file ${path} cannot be read`),
    });
  });

  it('a keyring from the environment (no file) is always healthy', async () => {
    await expect(
      LocalKeyring.fromJson(LocalKeyring.generate().toJson()).checkHealth(),
    ).resolves.toBeUndefined();
  });

  it('the cached check reuses a result (success or failure) for its TTL, then asks again', async () => {
    let now = 0;
    let calls = 0;
    let healthy = true;
    const check = cachedHealthCheck(
      async () => {
        calls += 1;
        if (!healthy) throw new Error('token gone');
      },
      3_000,
      () => now,
    );
    await check();
    healthy = false;
    now = 2_999;
    await check();
    expect(calls).toBe(1);
    now = 3_000;
    await expect(check()).rejects.toThrow('token gone');
    await expect(check()).rejects.toThrow('token gone');
    expect(calls).toBe(2);
    healthy = true;
    now = 6_000;
    await check();
    expect(calls).toBe(3);
  });
});
