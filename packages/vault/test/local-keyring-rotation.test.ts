import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalKeyring } from '../src/providers/local-keyring.js';

const keyringPath = () => join(mkdtempSync(join(tmpdir(), 'keyring-rot-')), 'secrets', 'keyring.json');

/** A second process's view of the same file: what an app holds while the CLI rotates. */
describe('a running process and a KEK rotation done by another process', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('unwraps keys wrapped under a KEK added after it read the keyring, without reopening', async () => {
    const path = keyringPath();
    const app = LocalKeyring.openOrCreate(path);
    const operator = LocalKeyring.openOrCreate(path);
    expect(operator.rotate()).toBe('local:kek-2');
    const dataKey = randomBytes(32);
    const rewrapped = await operator.wrap(dataKey);
    expect(rewrapped.kekId).toBe('local:kek-2');
    expect((await app.unwrap(rewrapped)).equals(dataKey)).toBe(true);
  });

  it('wraps new keys under the keyring’s current KEK, not the one it read at start', async () => {
    const path = keyringPath();
    const app = LocalKeyring.openOrCreate(path);
    expect((await app.wrap(randomBytes(32))).kekId).toBe('local:kek-1');
    LocalKeyring.openOrCreate(path).rotate();
    expect((await app.wrap(randomBytes(32))).kekId).toBe('local:kek-2');
    expect(app.activeKekId()).toBe('local:kek-2');
  });

  it('re-reads the file at most once per interval however many unknown KEK ids arrive', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const path = keyringPath();
    const app = LocalKeyring.openOrCreate(path, { missReloadIntervalMs: 1000 });
    const readsAtStart = app.fileReads();
    const unknown = { kekId: 'local:kek-9', wrapped: randomBytes(60) };
    // A first miss re-reads at once; the file did not change, so nothing is parsed.
    await expect(app.unwrap(unknown)).rejects.toMatchObject({ code: 'vault_unavailable' });
    const flood = Array.from({ length: 500 }, () => app.unwrap(unknown).catch((e) => e.code));
    const operator = LocalKeyring.openOrCreate(path);
    const dataKey = randomBytes(32);
    operator.rotate();
    const fresh = app.unwrap(await operator.wrap(dataKey));
    // The 501 misses wait for one shared re-read, due a second after the last one.
    await vi.advanceTimersByTimeAsync(1000);
    expect(await Promise.all(flood)).toEqual(Array(500).fill('vault_unavailable'));
    expect((await fresh).equals(dataKey)).toBe(true);
    expect(app.fileReads() - readsAtStart).toBe(1);
  });
});

describe('rotation state in the keyring file', () => {
  it('adds the new KEK before making it active, and a rerun resumes instead of adding another', () => {
    const path = keyringPath();
    const first = LocalKeyring.openOrCreate(path);
    expect(first.beginRotation()).toBe('local:kek-2');
    // Durable but not active yet: processes keep wrapping under kek-1 and can unwrap kek-2.
    const onDisk = JSON.parse(readFileSync(path, 'utf8'));
    expect(onDisk).toMatchObject({ active: 'kek-1', pending: 'kek-2' });
    expect(Object.keys(onDisk.keys)).toEqual(['kek-1', 'kek-2']);
    // An interrupted run, started again in a new process, picks up the same rotation.
    const rerun = LocalKeyring.openOrCreate(path);
    expect(rerun.pendingRotation()).toBe('local:kek-2');
    expect(rerun.beginRotation()).toBe('local:kek-2');
    rerun.activatePending();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ active: 'kek-2', pending: 'kek-2' });
    expect(() => rerun.remove('local:kek-2')).toThrow(/active/);
    rerun.finishRotation();
    expect(JSON.parse(readFileSync(path, 'utf8'))).not.toHaveProperty('pending');
    expect(rerun.kekIds()).toEqual(['local:kek-1', 'local:kek-2']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('removes temporaries an interrupted writer left behind, and refuses a pending KEK it does not hold', () => {
    const path = keyringPath();
    const keyring = LocalKeyring.openOrCreate(path);
    writeFileSync(`${path}.999999.tmp`, 'secret leftovers', { mode: 0o600 });
    keyring.rotate();
    expect(readdirSync(join(path, '..'))).toEqual(['keyring.json']);
    const broken = { ...JSON.parse(readFileSync(path, 'utf8')), pending: 'kek-7' };
    expect(() => LocalKeyring.fromJson(JSON.stringify(broken))).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });
});
