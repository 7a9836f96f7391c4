import { MasklineError } from '@maskline/core';
import pkcs11js from 'pkcs11js';

export interface Pkcs11SessionOptions {
  library: string;
  tokenLabel: string;
  pin: string;
}

/** A logged-in read/write session on the token with the configured label. */
export interface Pkcs11Session {
  module: pkcs11js.PKCS11;
  session: Buffer;
  /** True while a token with the configured label is in one of the module's slots. */
  tokenPresent(): boolean;
  /** "slot <id>, module <path>", for error messages. */
  describe(): string;
  close(): void;
}

const unavailable = (message: string, cause?: unknown) =>
  new MasklineError('vault_unavailable', { message, ...(cause ? { cause } : {}) });

/**
 * Loads the module, finds the token by label and logs in. Each failure names what is
 * missing (the module path, the token label and the labels present, the slot), so a
 * start after a lost token says "no token labelled X" instead of blaming the module.
 */
export function openPkcs11Session(options: Pkcs11SessionOptions): Pkcs11Session {
  const module = new pkcs11js.PKCS11();
  try {
    module.load(options.library);
  } catch (cause) {
    throw unavailable(`The PKCS#11 module ${options.library} could not be loaded.`, cause);
  }
  // The library is process-wide: a second provider in the same process shares it, and
  // only the one that initialized it finalizes it.
  let ownsLibrary = true;
  try {
    module.C_Initialize();
  } catch (cause) {
    if (!/ALREADY_INITIALIZED/.test((cause as Error).message)) {
      throw unavailable(`The PKCS#11 module ${options.library} failed to initialize.`, cause);
    }
    ownsLibrary = false;
  }
  const finalize = () => {
    if (ownsLibrary) {
      try {
        module.C_Finalize();
      } catch {}
    }
  };
  const labels = (): Map<string, Buffer> => {
    const found = new Map<string, Buffer>();
    for (const slot of module.C_GetSlotList(true)) {
      try {
        found.set(module.C_GetTokenInfo(slot).label.trim(), slot);
      } catch {}
    }
    return found;
  };
  let slot: Buffer | undefined;
  try {
    const present = labels();
    slot = present.get(options.tokenLabel);
    if (!slot) {
      const others = [...present.keys()].filter((l) => l !== '');
      throw unavailable(
        `No PKCS#11 token labelled ${options.tokenLabel} is present (module ${options.library}; ` +
          `tokens present: ${others.length > 0 ? others.join(', ') : 'none'}).`,
      );
    }
  } catch (error) {
    finalize();
    if (error instanceof MasklineError) throw error;
    throw unavailable(
      `The PKCS#11 module ${options.library} could not list its tokens (looking for ${options.tokenLabel}).`,
      error,
    );
  }
  const where = `slot ${slotId(slot)}, module ${options.library}`;
  let session: Buffer;
  try {
    session = module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  } catch (cause) {
    finalize();
    throw unavailable(`No session could be opened on PKCS#11 token ${options.tokenLabel} (${where}).`, cause);
  }
  try {
    module.C_Login(session, pkcs11js.CKU_USER, options.pin);
  } catch (cause) {
    if (!/USER_ALREADY_LOGGED_IN/.test((cause as Error).message)) {
      finalize();
      throw unavailable(
        `Login to PKCS#11 token ${options.tokenLabel} (${where}) failed: ${(cause as Error).message}.`,
        cause,
      );
    }
  }
  return {
    module,
    session,
    describe: () => where,
    tokenPresent: () => {
      try {
        return labels().has(options.tokenLabel);
      } catch {
        return false;
      }
    },
    close: () => {
      // Login state is per token and application: only the library's owner logs out.
      if (ownsLibrary) {
        try {
          module.C_Logout(session);
        } catch {}
      }
      try {
        module.C_CloseSession(session);
      } catch {}
      finalize();
    },
  };
}

function slotId(slot: Buffer): string {
  return slot.length >= 8 ? slot.readBigUInt64LE().toString() : slot.readUInt32LE().toString();
}
