import { MasklineError } from '@maskline/core';
import pkcs11js from 'pkcs11js';

/**
 * The KEK's object template: an AES-256 secret key that lives on the token (CKA_TOKEN),
 * is private to a logged-in user, and can never leave the device (CKA_SENSITIVE true,
 * CKA_EXTRACTABLE false; PKCS#11 lets neither be relaxed afterwards). Its CKA_ID is its
 * label, so tools that select keys by id find it too.
 */
export function kekTemplate(label: string): pkcs11js.Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    { type: pkcs11js.CKA_LABEL, value: label },
    { type: pkcs11js.CKA_ID, value: Buffer.from(label) },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_ENCRYPT, value: true },
    { type: pkcs11js.CKA_DECRYPT, value: true },
  ];
}

/** The secret key with this label on the session's token, or null. */
export function findSecretKey(module: pkcs11js.PKCS11, session: Buffer, label: string): Buffer | null {
  module.C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_LABEL, value: label },
  ]);
  try {
    return module.C_FindObjects(session) ?? null;
  } finally {
    module.C_FindObjectsFinal(session);
  }
}

export function generateKek(module: pkcs11js.PKCS11, session: Buffer, label: string): Buffer {
  return module.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, kekTemplate(label));
}

/**
 * Refuses a KEK whose value could be read out of the token: CKA_EXTRACTABLE true (it can
 * be wrapped off the device) or CKA_SENSITIVE false (its value can be read in clear).
 */
export function assertKekProtected(
  module: pkcs11js.PKCS11,
  session: Buffer,
  handle: Buffer,
  where: { keyLabel: string; tokenLabel: string },
): void {
  const [sensitive, extractable] = module.C_GetAttributeValue(session, handle, [
    { type: pkcs11js.CKA_SENSITIVE },
    { type: pkcs11js.CKA_EXTRACTABLE },
  ]);
  const isTrue = (value: unknown) => Buffer.isBuffer(value) && value.length > 0 && value[0] !== 0;
  const problems = [
    ...(isTrue(extractable?.value) ? ['CKA_EXTRACTABLE is true'] : []),
    ...(isTrue(sensitive?.value) ? [] : ['CKA_SENSITIVE is false']),
  ];
  if (problems.length > 0) {
    throw new MasklineError('config_invalid', {
      message:
        `The KEK ${where.keyLabel} on PKCS#11 token ${where.tokenLabel} allows extraction ` +
        `(${problems.join(', ')}); refusing to use it. Create a protected KEK with ` +
        '`npm run vault -- create-kek` (see the vault guide).',
    });
  }
}
