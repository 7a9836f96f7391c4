import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export const MIN_CODE_LENGTH = 4;
export const MAX_CODE_LENGTH = 10;

/** A numeric one-time code of `length` digits, each drawn from the CSPRNG (crypto.randomInt). */
export function generateVerificationCode(length: number): string {
  if (!Number.isInteger(length) || length < MIN_CODE_LENGTH || length > MAX_CODE_LENGTH) {
    throw new RangeError(`code length must be ${MIN_CODE_LENGTH} to ${MAX_CODE_LENGTH}`);
  }
  let code = '';
  for (let i = 0; i < length; i += 1) code += String(randomInt(10));
  return code;
}

/**
 * The keyed hash stored in place of a code: HMAC-SHA256 under the server secret, bound to
 * the verification id (the same code in two verifications hashes differently, and a hash
 * copied to another row does not match there). Without the secret a stolen table cannot be
 * brute-forced offline, although a code has only 10^4 to 10^10 values.
 */
export function hashVerificationCode(secret: string, verificationId: string, code: string): Buffer {
  return createHmac('sha256', secret).update(`${verificationId}:${code}`).digest();
}

/** Constant-time comparison of the candidate's HMAC with the stored one. */
export function verificationCodeMatches(
  secret: string,
  verificationId: string,
  candidate: string,
  storedHash: Buffer,
): boolean {
  const hash = hashVerificationCode(secret, verificationId, candidate);
  return hash.length === storedHash.length && timingSafeEqual(hash, storedHash);
}
