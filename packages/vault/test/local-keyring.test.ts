import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalKeyring } from '../src/providers/local-keyring.js';

const dir = () => mkdtempSync(join(tmpdir(), 'keyring-'));

describe('the local keyring', () => {
  it('is created on first open with mode 0600 in a private directory, and reused after', async () => {
    const path = join(dir(), 'secrets', 'keyring.json');
    const first = LocalKeyring.openOrCreate(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    const dataKey = randomBytes(32);
    const wrapped = await first.wrap(dataKey);
    expect(wrapped.kekId).toBe('local:kek-1');
    expect(wrapped.wrapped.includes(dataKey)).toBe(false);
    const again = LocalKeyring.openOrCreate(path);
    expect((await again.unwrap(wrapped)).equals(dataKey)).toBe(true);
  });

  it('refuses a keyring other users can read', () => {
    const path = join(dir(), 'keyring.json');
    LocalKeyring.openOrCreate(path);
    chmodSync(path, 0o644);
    expect(() => LocalKeyring.openOrCreate(path)).toThrow(/readable by other users/);
  });

  it('refuses a malformed keyring with config_invalid', () => {
    const path = join(dir(), 'keyring.json');
    writeFileSync(path, '{"format":"maskline-keyring/1","active":"kek-9","keys":{}}', { mode: 0o600 });
    expect(() => LocalKeyring.openOrCreate(path)).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
    expect(() => LocalKeyring.fromJson('not json')).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });

  it('rotates: new data keys go under the new KEK, old wrappings still unwrap, persisted', async () => {
    const path = join(dir(), 'keyring.json');
    const keyring = LocalKeyring.openOrCreate(path);
    const dataKey = randomBytes(32);
    const old = await keyring.wrap(dataKey);
    expect(keyring.rotate()).toBe('local:kek-2');
    const fresh = await keyring.wrap(dataKey);
    expect(fresh.kekId).toBe('local:kek-2');
    const reopened = LocalKeyring.openOrCreate(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await reopened.unwrap(old)).equals(dataKey)).toBe(true);
    expect((await reopened.unwrap(fresh)).equals(dataKey)).toBe(true);
    reopened.remove('local:kek-1');
    await expect(reopened.unwrap(old)).rejects.toMatchObject({ code: 'vault_unavailable' });
    expect(() => reopened.remove('local:kek-2')).toThrow(/active/);
    expect(JSON.parse(readFileSync(path, 'utf8')).keys).not.toHaveProperty('kek-1');
  });

  it('detects a tampered wrapping', async () => {
    const keyring = LocalKeyring.generate();
    const wrapped = await keyring.wrap(randomBytes(32));
    wrapped.wrapped[20]! ^= 1;
    await expect(keyring.unwrap(wrapped)).rejects.toMatchObject({ code: 'vault_integrity' });
    const copy = LocalKeyring.fromJson(keyring.toJson());
    expect(copy.activeKekId()).toBe(keyring.activeKekId());
  });
});

describe('the keyring folder', () => {
  it('makes only its own folder private, not the parents it creates', () => {
    const root = dir();
    const path = join(root, 'data', 'secrets', 'keyring.json');
    LocalKeyring.openOrCreate(path);
    expect(statSync(join(root, 'data')).mode & 0o777).toBe(0o755 & ~process.umask());
    expect(statSync(join(root, 'data', 'secrets')).mode & 0o777).toBe(0o700);
  });
});
