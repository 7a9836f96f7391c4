import { randomBytes } from 'node:crypto';
import { MasklineError } from '@maskline/core';
import pkcs11js from 'pkcs11js';
import type { KeyProvider, WrappedKey } from './key-provider.js';

export interface Pkcs11Options {
  /** Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  library: string;
  /** Label of the token that holds the KEKs. */
  tokenLabel: string;
  /** User PIN. Comes from the environment or a secrets file, never from the command line. */
  pin: string;
  /** Label of the AES key new data keys are wrapped with. */
  keyLabel: string;
  /** Create the key in the token when it does not exist (first start, tests). */
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
 * sensitive and non-extractable: it never leaves the device. Data keys are wrapped by
 * AES-GCM encryption inside the token (CKM_AES_GCM). The KEK's id is its label, so a
 * rotation is a new key label plus a re-wrap of the stored data keys.
 */
export class Pkcs11KeyProvider implements KeyProvider {
  private readonly keys = new Map<string, Buffer>();

  private constructor(
    private readonly module: pkcs11js.PKCS11,
    private readonly session: Buffer,
    private readonly options: Pkcs11Options,
  ) {}

  static open(options: Pkcs11Options): Pkcs11KeyProvider {
    const module = new pkcs11js.PKCS11();
    try {
      module.load(options.library);
      module.C_Initialize();
    } catch (cause) {
      throw new MasklineError('vault_unavailable', {
        message: 'The PKCS#11 module could not be loaded.',
        cause,
      });
    }
    try {
      const slot = module
        .C_GetSlotList(true)
        .find((s) => module.C_GetTokenInfo(s).label.trim() === options.tokenLabel);
      if (!slot) throw new Error(`no token labelled ${options.tokenLabel}`);
      const session = module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      module.C_Login(session, pkcs11js.CKU_USER, options.pin);
      const provider = new Pkcs11KeyProvider(module, session, options);
      provider.keyHandle(options.keyLabel, options.createKeyIfMissing ?? false);
      return provider;
    } catch (cause) {
      module.C_Finalize();
      throw new MasklineError('vault_unavailable', {
        message: `The PKCS#11 token ${options.tokenLabel} or its key ${options.keyLabel} is not usable.`,
        cause,
      });
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
    this.module.C_DestroyObject(this.session, handle);
    this.keys.delete(label);
    return true;
  }

  async wrap(dataKey: Buffer): Promise<WrappedKey> {
    const label = this.currentLabel();
    const kekId = PREFIX + label;
    const iv = randomBytes(IV_BYTES);
    this.module.C_EncryptInit(this.session, this.gcm(iv, kekId), this.keyHandle(label, false));
    const out = this.module.C_Encrypt(this.session, dataKey, Buffer.alloc(dataKey.length + TAG_BITS / 8));
    return { kekId, wrapped: Buffer.concat([iv, out]) };
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
      throw new MasklineError('vault_unavailable', {
        message: `Key-encryption key ${key.kekId} is not in the HSM.`,
        cause,
      });
    }
    try {
      const iv = key.wrapped.subarray(0, IV_BYTES);
      this.module.C_DecryptInit(this.session, this.gcm(iv, key.kekId), handle);
      return Buffer.from(
        this.module.C_Decrypt(this.session, key.wrapped.subarray(IV_BYTES), Buffer.alloc(key.wrapped.length)),
      );
    } catch (cause) {
      throw new MasklineError('vault_integrity', {
        message: `A data key wrapped by ${key.kekId} failed to unwrap.`,
        cause,
      });
    }
  }

  async close(): Promise<void> {
    try {
      this.module.C_Logout(this.session);
      this.module.C_CloseSession(this.session);
    } finally {
      this.module.C_Finalize();
    }
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
    this.module.C_FindObjectsInit(this.session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
      { type: pkcs11js.CKA_LABEL, value: CURRENT_KEK_OBJECT },
    ]);
    const handles = this.module.C_FindObjects(this.session, 16);
    this.module.C_FindObjectsFinal(this.session);
    return handles
      .map((handle) => {
        const [attribute] = this.module.C_GetAttributeValue(this.session, handle, [
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
    this.module.C_CreateObject(this.session, [
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
    for (const old of existing) this.module.C_DestroyObject(this.session, old.handle);
  }

  private keyHandle(label: string, create: boolean): Buffer {
    const cached = this.keys.get(label);
    if (cached) return cached;
    this.module.C_FindObjectsInit(this.session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_LABEL, value: label },
    ]);
    let handle = this.module.C_FindObjects(this.session);
    this.module.C_FindObjectsFinal(this.session);
    if (!handle) {
      if (!create) throw new Error(`no secret key labelled ${label}`);
      handle = this.module.C_GenerateKey(this.session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_ENCRYPT, value: true },
        { type: pkcs11js.CKA_DECRYPT, value: true },
      ]);
    }
    this.keys.set(label, handle);
    return handle;
  }
}
