import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MasklineError } from '@maskline/core';
import { z } from 'zod';
import type { KeyProvider, WrappedKey } from './key-provider.js';

const keyringSchema = z.object({
  format: z.literal('maskline-keyring/1'),
  active: z.string().min(1),
  keys: z.record(
    z.string(),
    z.object({
      key: z.base64().refine((k) => Buffer.from(k, 'base64').length === 32),
      createdAt: z.string(),
    }),
  ),
});
type KeyringFile = z.infer<typeof keyringSchema>;

const PREFIX = 'local:';

/**
 * Key-encryption keys in a local file (or an environment variable), for the embedded
 * default. Created on first start with mode 0600 in a 0700 directory; a keyring that
 * other users can read is refused. Data keys are wrapped with AES-256-GCM, the KEK's id
 * bound as associated data. Rotation adds a KEK and makes it active; older KEKs stay to
 * unwrap until every data key is re-wrapped (see rewrapDataKeys).
 */
export class LocalKeyring implements KeyProvider {
  private constructor(
    private file: KeyringFile,
    private readonly path: string | null,
  ) {}

  /** Open the keyring at `path`, creating it (with one fresh KEK) when it does not exist. */
  static openOrCreate(path: string): LocalKeyring {
    // Only the keyring's own folder is private: parents keep their usual mode (the local
    // stack's data folder must stay traversable for the postgres user).
    mkdirSync(dirname(dirname(path)), { recursive: true });
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(path, serialize(newKeyring()), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new MasklineError('config_invalid', {
        message: `Keyring ${path} is readable by other users (mode ${mode.toString(8)}); chmod 600 it.`,
      });
    }
    return new LocalKeyring(parse(readFileSync(path, 'utf8'), path), path);
  }

  /** A keyring given as JSON (e.g. the MASKLINE_KEYRING environment variable); not persisted. */
  static fromJson(json: string): LocalKeyring {
    return new LocalKeyring(parse(json, 'MASKLINE_KEYRING'), null);
  }

  static generate(): LocalKeyring {
    return new LocalKeyring(newKeyring(), null);
  }

  toJson(): string {
    return serialize(this.file);
  }

  activeKekId(): string {
    return PREFIX + this.file.active;
  }

  kekIds(): string[] {
    return Object.keys(this.file.keys).map((id) => PREFIX + id);
  }

  /** Add a new KEK and make it the active one; returns its id. Persisted when file-backed. */
  rotate(): string {
    const id = nextId(this.file);
    this.file = {
      ...this.file,
      active: id,
      keys: {
        ...this.file.keys,
        [id]: { key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() },
      },
    };
    this.persist();
    return PREFIX + id;
  }

  /** Remove a KEK that no data key uses any more (the caller checks). */
  remove(kekId: string): void {
    const id = kekId.slice(PREFIX.length);
    if (id === this.file.active) throw new Error('cannot remove the active KEK');
    const { [id]: _removed, ...rest } = this.file.keys;
    this.file = { ...this.file, keys: rest };
    this.persist();
  }

  async wrap(dataKey: Buffer): Promise<WrappedKey> {
    const kekId = this.activeKekId();
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.kek(kekId), nonce);
    cipher.setAAD(Buffer.from(kekId));
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { kekId, wrapped: Buffer.concat([nonce, body, cipher.getAuthTag()]) };
  }

  async unwrap(key: WrappedKey): Promise<Buffer> {
    const kek = this.kek(key.kekId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', kek, key.wrapped.subarray(0, 12));
      decipher.setAAD(Buffer.from(key.kekId));
      decipher.setAuthTag(key.wrapped.subarray(key.wrapped.length - 16));
      return Buffer.concat([
        decipher.update(key.wrapped.subarray(12, key.wrapped.length - 16)),
        decipher.final(),
      ]);
    } catch {
      throw new MasklineError('vault_integrity', {
        message: `A data key wrapped by ${key.kekId} failed to unwrap.`,
      });
    }
  }

  /**
   * Readiness: a file-backed keyring is still readable and still holds the active KEK this
   * process wraps with (same key material). An in-memory keyring is always ready.
   */
  async checkHealth(): Promise<void> {
    if (!this.path) return;
    let onDisk: KeyringFile;
    try {
      onDisk = parse(readFileSync(this.path, 'utf8'), this.path);
    } catch (cause) {
      throw new MasklineError('vault_unavailable', {
        message: `The keyring file ${this.path} cannot be read.`,
        cause,
      });
    }
    if (onDisk.keys[this.file.active]?.key !== this.file.keys[this.file.active]?.key) {
      throw new MasklineError('vault_unavailable', {
        message: `The keyring file ${this.path} no longer holds the active KEK ${this.activeKekId()}.`,
      });
    }
  }

  private kek(kekId: string): Buffer {
    const entry = kekId.startsWith(PREFIX) ? this.file.keys[kekId.slice(PREFIX.length)] : undefined;
    if (!entry) {
      throw new MasklineError('vault_unavailable', {
        message: `Key-encryption key ${kekId} is not in the keyring.`,
      });
    }
    return Buffer.from(entry.key, 'base64');
  }

  private persist(): void {
    if (!this.path) return;
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, serialize(this.file), { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
  }
}

function newKeyring(): KeyringFile {
  return {
    format: 'maskline-keyring/1',
    active: 'kek-1',
    keys: { 'kek-1': { key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() } },
  };
}

function nextId(file: KeyringFile): string {
  const numbers = Object.keys(file.keys).map((id) => Number(/^kek-(\d+)$/.exec(id)?.[1] ?? 0));
  return `kek-${Math.max(0, ...numbers) + 1}`;
}

function serialize(file: KeyringFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

function parse(json: string, source: string): KeyringFile {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new MasklineError('config_invalid', { message: `Keyring ${source} is not valid JSON.` });
  }
  const parsed = keyringSchema.safeParse(value);
  if (!parsed.success || !parsed.data.keys[parsed.data.active]) {
    throw new MasklineError('config_invalid', {
      message: `Keyring ${source} is not a valid maskline-keyring/1.`,
    });
  }
  return parsed.data;
}
