import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { MasklineError } from '@maskline/core';
import { z } from 'zod';
import { createFileDurably, writeFileDurably } from '../durability/durable-file.js';
import type { KeyProvider, WrappedKey } from './key-provider.js';

const keyringSchema = z.object({
  format: z.literal('maskline-keyring/1'),
  active: z.string().min(1),
  /** A KEK rotation in progress: the KEK it moves every key to (see beginRotation). */
  pending: z.string().min(1).optional(),
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

export interface KeyringOptions {
  /** Least time between two re-reads of the file caused by unknown KEK ids (default 500 ms). */
  missReloadIntervalMs?: number;
}

/**
 * Key-encryption keys in a local file (or an environment variable), for the embedded
 * default. Created on first start with mode 0600 in a 0700 directory; a keyring that
 * other users can read is refused. Data keys are wrapped with AES-256-GCM, the KEK's id
 * bound as associated data.
 *
 * Running processes follow a rotation without a restart: the file is re-read (when it
 * changed) before wrapping a new key, so new keys go under the current KEK, and when a
 * wrapped key names a KEK this process does not hold (at most once per
 * `missReloadIntervalMs`, however many requests miss). Every change is written durably
 * (writeFileDurably) and in an order that keeps each committed key unwrappable: a new KEK
 * is added first and made active only in a second write; a KEK is removed only once no
 * key uses it (the caller checks).
 */
export class LocalKeyring implements KeyProvider {
  private reads = 0;
  private seen: { ino: number; size: number; mtimeMs: number; ctimeMs: number } | null = null;
  private lastMissReload = 0;
  private missReload: Promise<void> | null = null;
  private readonly missReloadIntervalMs: number;

  private constructor(
    private file: KeyringFile,
    private readonly path: string | null,
    options: KeyringOptions = {},
  ) {
    this.missReloadIntervalMs = options.missReloadIntervalMs ?? 500;
  }

  /** Open the keyring at `path`, creating it (with one fresh KEK) when it does not exist. */
  static openOrCreate(path: string, options: KeyringOptions = {}): LocalKeyring {
    // Only the keyring's own folder is private: parents keep their usual mode (the local
    // stack's data folder must stay traversable for the postgres user).
    mkdirSync(dirname(dirname(path)), { recursive: true });
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (!existsSync(path)) createFileDurably(path, serialize(newKeyring()), 0o600);
    const keyring = new LocalKeyring(newKeyring(), path, options);
    keyring.refresh();
    return keyring;
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

  /** How often the file was read and parsed (changes picked up), for tests and diagnostics. */
  fileReads(): number {
    return this.reads;
  }

  /** The KEK an interrupted rotation was moving keys to, or null. */
  pendingRotation(): string | null {
    return this.file.pending ? PREFIX + this.file.pending : null;
  }

  /** Re-read the file if it changed since this process last read it (file-backed only). */
  refresh(): void {
    if (!this.path) return;
    const stat = statSync(this.path);
    if (
      this.seen &&
      this.seen.ino === stat.ino &&
      this.seen.size === stat.size &&
      this.seen.mtimeMs === stat.mtimeMs &&
      this.seen.ctimeMs === stat.ctimeMs
    ) {
      return;
    }
    const mode = stat.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new MasklineError('config_invalid', {
        message: `Keyring ${this.path} is readable by other users (mode ${mode.toString(8)}); chmod 600 it.`,
      });
    }
    const next = parse(readFileSync(this.path, 'utf8'), this.path);
    // A KEK's material never changes under its id: a file that says otherwise is another
    // keyring put in this one's place, and adopting it would strand every wrapped key.
    for (const [id, entry] of this.seen ? Object.entries(this.file.keys) : []) {
      if (next.keys[id] && next.keys[id].key !== entry.key) {
        throw new MasklineError('vault_unavailable', {
          message: `The keyring file ${this.path} no longer holds the active KEK ${PREFIX}${id}: it holds other key material under that id.`,
        });
      }
    }
    this.file = next;
    this.reads += 1;
    this.seen = { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs };
  }

  /**
   * Start a KEK rotation, or resume the one in progress: the new KEK is durably in the
   * keyring (not yet active) before this returns. Returns its id.
   */
  beginRotation(): string {
    this.refresh();
    if (this.file.pending) return PREFIX + this.file.pending;
    const id = nextId(this.file);
    this.update(
      {
        ...this.file,
        pending: id,
        keys: {
          ...this.file.keys,
          [id]: { key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() },
        },
      },
      'kek-added',
    );
    return PREFIX + id;
  }

  /** Make the pending rotation's KEK the one new keys are wrapped with (a second durable write). */
  activatePending(): void {
    this.refresh();
    const pending = this.file.pending;
    if (!pending) throw new Error('no KEK rotation in progress');
    if (this.file.active !== pending) this.update({ ...this.file, active: pending }, 'kek-activated');
  }

  /** The rotation is complete (every key re-wrapped): clear its marker. */
  finishRotation(): void {
    this.refresh();
    if (!this.file.pending) return;
    const { pending: _done, ...rest } = this.file;
    this.update(rest, 'rotation-done');
  }

  /**
   * Add a new KEK and make it the active one, in two durable writes; returns its id.
   * (`rotate-kek` uses beginRotation/activatePending/finishRotation around the re-wrap.)
   */
  rotate(): string {
    const id = this.beginRotation();
    this.activatePending();
    this.finishRotation();
    return id;
  }

  /** Remove a KEK that no data key uses any more (the caller checks). */
  remove(kekId: string): void {
    this.refresh();
    const id = kekId.slice(PREFIX.length);
    if (id === this.file.active || id === this.file.pending) throw new Error('cannot remove the active KEK');
    if (!this.file.keys[id]) return;
    const { [id]: _removed, ...rest } = this.file.keys;
    this.update({ ...this.file, keys: rest }, 'kek-removed');
  }

  destroyKek(kekId: string): boolean {
    this.refresh();
    if (!this.kekIds().includes(kekId)) return false;
    this.remove(kekId);
    return true;
  }

  async wrap(dataKey: Buffer): Promise<WrappedKey> {
    // Key creation is rare: always wrap under the keyring's current KEK, not a stale copy.
    try {
      this.refresh();
    } catch (cause) {
      throw new MasklineError('vault_unavailable', { message: 'The keyring could not be read.', cause });
    }
    const kekId = this.activeKekId();
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.kek(kekId), nonce);
    cipher.setAAD(Buffer.from(kekId));
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { kekId, wrapped: Buffer.concat([nonce, body, cipher.getAuthTag()]) };
  }

  async unwrap(key: WrappedKey): Promise<Buffer> {
    if (!this.holds(key.kekId)) await this.reloadAfterMiss();
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

  private holds(kekId: string): boolean {
    return kekId.startsWith(PREFIX) && Object.hasOwn(this.file.keys, kekId.slice(PREFIX.length));
  }

  /**
   * A wrapped key names a KEK this process does not hold: another process may have
   * rotated. Re-read the file, at most once per interval; concurrent misses share it.
   */
  private reloadAfterMiss(): Promise<void> {
    if (!this.path) return Promise.resolve();
    this.missReload ??= (async () => {
      const wait = this.lastMissReload + this.missReloadIntervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastMissReload = Date.now();
      try {
        this.refresh();
      } catch {
        // keep the keys already held; the lookup below reports the miss
      }
    })().finally(() => {
      this.missReload = null;
    });
    return this.missReload;
  }

  /**
   * Readiness: a file-backed keyring is still readable (re-read if another process
   * changed it) and holds its active KEK. An in-memory keyring is always ready.
   */
  async checkHealth(): Promise<void> {
    if (!this.path) return;
    try {
      this.refresh();
    } catch (cause) {
      if (cause instanceof MasklineError) throw cause;
      throw new MasklineError('vault_unavailable', {
        message: `The keyring file ${this.path} cannot be read.`,
        cause,
      });
    }
    if (!this.file.keys[this.file.active]) {
      throw new MasklineError('vault_unavailable', {
        message: `The keyring file ${this.path} no longer holds the active KEK ${this.activeKekId()}.`,
      });
    }
  }

  private kek(kekId: string): Buffer {
    const entry = this.holds(kekId) ? this.file.keys[kekId.slice(PREFIX.length)] : undefined;
    if (!entry) {
      throw new MasklineError('vault_unavailable', {
        message: `Key-encryption key ${kekId} is not in the keyring.`,
      });
    }
    return Buffer.from(entry.key, 'base64');
  }

  private update(next: KeyringFile, step: string): void {
    if (this.path) {
      writeFileDurably(this.path, serialize(next), 0o600, step);
      this.seen = null;
    }
    this.file = next;
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
  if (
    !parsed.success ||
    !parsed.data.keys[parsed.data.active] ||
    (parsed.data.pending !== undefined && !parsed.data.keys[parsed.data.pending])
  ) {
    throw new MasklineError('config_invalid', {
      message: `Keyring ${source} is not a valid maskline-keyring/1.`,
    });
  }
  return parsed.data;
}
