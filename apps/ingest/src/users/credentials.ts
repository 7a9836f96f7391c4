import { createHmac, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { Secret, TOTP } from 'otpauth';

/**
 * argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane): ~50 ms here, so a
 * stolen table costs an attacker as much per guess, and sign-in stays cheap for a person.
 */
// algorithm 2 is Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_CHARS = 12;
export const MAX_PASSWORD_CHARS = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/** A hash of nothing anyone knows: an unknown email costs the same verify as a known one. */
const DUMMY_HASH = hash(randomBytes(32).toString('base64'), ARGON2);

/** Checks a password against its PHC hash (argon2's own constant-time comparison); null hash: the dummy. */
export async function passwordMatches(hashed: string | null, password: string): Promise<boolean> {
  const ok = await verify(hashed ?? (await DUMMY_HASH), password);
  return hashed !== null && ok;
}

/** Keyed digests (HMAC-SHA256 under the API key pepper) of emails, tokens and recovery codes. */
export class CredentialDigests {
  private readonly key: Buffer;

  constructor(pepper: string) {
    this.key = Buffer.from(`maskline users v1:${pepper}`, 'utf8');
  }

  of(kind: 'email' | 'token' | 'setup' | 'recovery', value: string): Buffer {
    const normal = kind === 'email' ? value.trim().toLowerCase() : value;
    return createHmac('sha256', this.key).update(`${kind}\0${normal}`, 'utf8').digest();
  }
}

/** A random token with a readable prefix: `ml_sess_…`, `ml_mfa_…`, `ml_setup_…`. */
export function newToken(prefix: 'sess' | 'mfa' | 'setup'): string {
  return `ml_${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Ten recovery codes like `k3f9q-7x2mb` (50 bits each), shown once. */
export function newRecoveryCodes(count = 10): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(10);
    const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

export const TOTP_PERIOD_SECONDS = 30;

/** A new TOTP secret (RFC 6238: HMAC-SHA1, 6 digits, 30 s, as every authenticator app reads). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpUri(secret: string, label: string): string {
  return totpOf(secret, label).toString();
}

/**
 * The time step of `code` if it is right now or one step either side (clock drift), else
 * null. The caller refuses a step at or before the last one accepted (no replay).
 */
export function totpStep(secret: string, code: string, nowMs = Date.now()): number | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const delta = totpOf(secret, '').validate({ token: code, timestamp: nowMs, window: 1 });
  if (delta === null) return null;
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

function totpOf(secret: string, label: string): TOTP {
  return new TOTP({
    issuer: 'Maskline',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}
