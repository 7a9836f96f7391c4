import { randomBytes } from 'node:crypto';
import { MasklineError } from '@maskline/core';
import pkcs11js from 'pkcs11js';
import type { KeyProvider, WrappedKey } from './key-provider.js';
import { assertKekProtected, findSecretKey, generateKek } from './pkcs11-kek.js';
import { openPkcs11Session, type Pkcs11Session } from './pkcs11-session.js';

export interface Pkcs11Options {
  /** Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  library: string;
  /** Label of the token that holds the KEKs. */
  tokenLabel: string;
  /** User PIN. Comes from the environment or a secrets file, never from the command line. */
  pin: string;
  /** Label of the AES key new data keys are wrapped with. */
  keyLabel: string;
  /** Create the key in the token when it does not exist (tests; operators use create-kek). */
  createKeyIfMissing?: boolean;
}

const PREFIX = 'pkcs11:';
/**
 * A data object in the token naming the KEK new keys are wrapped with. rotate-kek writes
 * it, so every process (each with its own session) wraps under the current KEK without a
 * restart; without it, PKCS11_KEY_LABEL is the current KEK.
 */
const CURRENT_KEK_OBJECT = 'maskline-current-kek';
const IV_BYTES = 12;
const TAG_BITS = 128;

/**
 * KEKs held in an HSM through PKCS#11. The KEK is an AES-256 secret key object created
 * sensitive and non-extractable (`npm run vault -- create-kek`): it never leaves the
 * device, and a KEK whose attributes allow extraction is refused. Data keys are wrapped
 * by AES-GCM encryption inside the token (CKM_AES_GCM). The KEK's id is its label, so a
 * rotation is a new key label plus a re-wrap of the stored data keys.
 */
export class Pkcs11KeyProvider implements KeyProvider {
  private readonly keys = new Map<string, Buffer>();

  private constructor(
    private readonly hsm: Pkcs11Session,
    private readonly options: Pkcs11Options,
  ) {}

  static open(options: Pkcs11Options): Pkcs11KeyProvider {
    const hsm = openPkcs11Session(options);
    try {
      const provider = new Pkcs11KeyProvider(hsm, options);
      provider.keyHandle(options.keyLabel, options.createKeyIfMissing ?? false);
      return provider;
    } catch (error) {
      hsm.close();
      throw error;
    }
  }

  /**
   * `npm run vault -- create-kek`: create the KEK labelled `options.keyLabel` (AES-256,
   * CKA_TOKEN, CKA_SENSITIVE, not CKA_EXTRACTABLE). An existing key of that label is kept
   * (and checked): `created` is false then.
   */
  static createKek(options: Pkcs11Options): { kekId: string; created: boolean } {
    const hsm = openPkcs11Session(options);
    try {
      const where = { keyLabel: options.keyLabel, tokenLabel: options.tokenLabel };
      const existing = findSecretKey(hsm.module, hsm.session, options.keyLabel);
      if (existing) assertKekProtected(hsm.module, hsm.session, existing, where);
      else
        assertKekProtected(
          hsm.module,
          hsm.session,
          generateKek(hsm.module, hsm.session, options.keyLabel),
          where,
        );
      return { kekId: PREFIX + options.keyLabel, created: !existing };
    } finally {
      hsm.close();
    }
  }

  /** The token's current KEK (read from the token: another process may have rotated). */
  activeKekId(): string {
    return PREFIX + this.currentLabel();
  }

  /**
   * Create a new KEK in the token (or find it, on a rerun with the same label) and make it
   * the one every process wraps new data keys with: the key exists in the token before
   * the token's current-KEK object names it.
   */
  rotate(newLabel: string): string {
    this.keyHandle(newLabel, true);
    this.setCurrentLabel(newLabel);
    this.options.keyLabel = newLabel;
    return this.activeKekId();
  }

  /** Destroy a KEK in the token (never the current one; the caller checks no key uses it). */
  destroyKek(kekId: string): boolean {
    const label = kekId.slice(PREFIX.length);
    if (!kekId.startsWith(PREFIX)) return false;
    if (label === this.currentLabel()) throw new Error('cannot destroy the current KEK');
    this.keys.delete(label);
    let handle: Buffer;
    try {
      handle = this.keyHandle(label, false);
    } catch {
      return false; // no such key in the token
    }
    this.hsm.module.C_DestroyObject(this.hsm.session, handle);
    this.keys.delete(label);
    return true;
  }

  async wrap(dataKey: Buffer): Promise<WrappedKey> {
    const label = this.currentLabel();
    const kekId = PREFIX + label;
    const iv = randomBytes(IV_BYTES);
    const { module, session } = this.hsm;
    try {
      module.C_EncryptInit(session, this.gcm(iv, kekId), this.keyHandle(label, false));
      const out = module.C_Encrypt(session, dataKey, Buffer.alloc(dataKey.length + TAG_BITS / 8));
      return { kekId, wrapped: Buffer.concat([iv, out]) };
    } catch (cause) {
      if (cause instanceof MasklineError) throw cause;
      throw new MasklineError('vault_unavailable', {
        message: `The PKCS#11 token ${this.options.tokenLabel} could not wrap a key with ${kekId}.`,
        cause,
      });
    }
  }

  async unwrap(key: WrappedKey): Promise<Buffer> {
    if (!key.kekId.startsWith(PREFIX)) {
      throw new MasklineError('vault_unavailable', {
        message: `Key-encryption key ${key.kekId} is not in the HSM.`,
      });
    }
    let handle: Buffer;
    try {
      handle = this.keyHandle(key.kekId.slice(PREFIX.length), false);
    } catch (cause) {
      if (cause instanceof MasklineError) throw cause;
      throw new MasklineError('vault_unavailable', {
        message: `Key-encryption key ${key.kekId} is not in the HSM.`,
        cause,
      });
    }
    try {
      const iv = key.wrapped.subarray(0, IV_BYTES);
      this.hsm.module.C_DecryptInit(this.hsm.session, this.gcm(iv, key.kekId), handle);
      return Buffer.from(
        this.hsm.module.C_Decrypt(
          this.hsm.session,
          key.wrapped.subarray(IV_BYTES),
          Buffer.alloc(key.wrapped.length),
        ),
      );
    } catch (cause) {
      throw new MasklineError('vault_integrity', {
        message: `A data key wrapped by ${key.kekId} failed to unwrap.`,
        cause,
      });
    }
  }

  /**
   * Readiness: the token is present, the session is usable and the active KEK is found
   * (searched again, not from the handle cache). Throws vault_unavailable naming what is
   * missing. Cheap (no crypto); callers cache it for a few seconds.
   */
  async checkHealth(): Promise<void> {
    const { module, session, describe } = this.hsm;
    if (!this.hsm.tokenPresent()) {
      throw new MasklineError('vault_unavailable', {
        message: `The PKCS#11 token ${this.options.tokenLabel} is not present (${describe()}).`,
      });
    }
    let found: Buffer | null;
    let label = this.options.keyLabel;
    try {
      module.C_GetSessionInfo(session);
      label = this.currentLabel();
      found = findSecretKey(module, session, label);
    } catch (cause) {
      throw new MasklineError('vault_unavailable', {
        message: `The session on PKCS#11 token ${this.options.tokenLabel} is not usable (${describe()}).`,
        cause,
      });
    }
    if (!found) {
      throw new MasklineError('vault_unavailable', {
        message: `The KEK ${label} is not on PKCS#11 token ${this.options.tokenLabel} (${describe()}).`,
      });
    }
  }

  async close(): Promise<void> {
    this.hsm.close();
  }

  private gcm(iv: Buffer, kekId: string): pkcs11js.Mechanism {
    const parameter: pkcs11js.GcmParams = {
      type: pkcs11js.CK_PARAMS_GCM,
      iv,
      ivBits: IV_BYTES * 8,
      aad: Buffer.from(kekId),
      tagBits: TAG_BITS,
    };
    return { mechanism: pkcs11js.CKM_AES_GCM, parameter };
  }

  /** The current-KEK objects with their values `<sequence>:<label>`, newest first. */
  private currentKekObjects(): { handle: Buffer; sequence: number; label: string }[] {
    this.hsm.module.C_FindObjectsInit(this.hsm.session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
      { type: pkcs11js.CKA_LABEL, value: CURRENT_KEK_OBJECT },
    ]);
    const handles = this.hsm.module.C_FindObjects(this.hsm.session, 16);
    this.hsm.module.C_FindObjectsFinal(this.hsm.session);
    return handles
      .map((handle) => {
        const [attribute] = this.hsm.module.C_GetAttributeValue(this.hsm.session, handle, [
          { type: pkcs11js.CKA_VALUE },
        ]);
        const value = Buffer.isBuffer(attribute?.value) ? attribute.value.toString('utf8') : '';
        const match = /^(\d+):(.+)$/.exec(value);
        return { handle, sequence: Number(match?.[1] ?? -1), label: match?.[2] ?? '' };
      })
      .filter((o) => o.label)
      .sort((a, b) => b.sequence - a.sequence);
  }

  private currentLabel(): string {
    return this.currentKekObjects()[0]?.label ?? this.options.keyLabel;
  }

  /**
   * Data objects' values are read-only in some tokens (SoftHSM2), so a new object with a
   * higher sequence is created first and the older ones destroyed after: a crash between
   * the two leaves the newest one deciding.
   */
  private setCurrentLabel(label: string): void {
    const existing = this.currentKekObjects();
    if (existing[0]?.label === label) return;
    this.hsm.module.C_CreateObject(this.hsm.session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_LABEL, value: CURRENT_KEK_OBJECT },
      { type: pkcs11js.CKA_APPLICATION, value: 'maskline' },
      {
        type: pkcs11js.CKA_VALUE,
        value: Buffer.from(`${(existing[0]?.sequence ?? 0) + 1}:${label}`, 'utf8'),
      },
    ]);
    for (const old of existing) this.hsm.module.C_DestroyObject(this.hsm.session, old.handle);
  }

  /** The KEK's handle: found (or, when asked, created) once, and refused if extractable. */
  private keyHandle(label: string, create: boolean): Buffer {
    const cached = this.keys.get(label);
    if (cached) return cached;
    const { module, session, describe } = this.hsm;
    let handle = findSecretKey(module, session, label);
    if (!handle) {
      if (!create) {
        throw new MasklineError('vault_unavailable', {
          message:
            `No KEK labelled ${label} on PKCS#11 token ${this.options.tokenLabel} (${describe()}); ` +
            'create it with `npm run vault -- create-kek`.',
        });
      }
      handle = generateKek(module, session, label);
    }
    assertKekProtected(module, session, handle, { keyLabel: label, tokenLabel: this.options.tokenLabel });
    this.keys.set(label, handle);
    return handle;
  }
}
