import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries a webhook's signatures: `t=<unix seconds>,v1=<hex>[,v1=<hex>]`. */
export const SIGNATURE_HEADER = 'Maskline-Signature';

/** How far a signature's timestamp may be from the receiver's clock (documented in docs/webhooks.md). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** HMAC-SHA256 of `timestamp + "." + rawBody` under one secret, hex. */
export function computeSignature(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/**
 * The header value for a body: one `v1` per secret, so during a rotation (old and new secret
 * both valid) a receiver holding either one can verify.
 */
export function signatureHeader(
  secrets: readonly string[],
  rawBody: string | Buffer,
  timestamp: number,
): string {
  if (secrets.length === 0) throw new Error('at least one signing secret is needed');
  const parts = [`t=${timestamp}`];
  for (const secret of secrets) parts.push(`v1=${computeSignature(secret, timestamp, rawBody)}`);
  return parts.join(',');
}

export type SignatureFailure = 'malformed_header' | 'timestamp_out_of_tolerance' | 'no_matching_signature';

export interface VerifyOptions {
  /** Seconds of clock difference accepted either way (default 300). */
  toleranceSeconds?: number;
  /** The receiver's clock in unix seconds (default now). */
  now?: number;
}

/**
 * Verifies a `Maskline-Signature` header against the raw body with any of the receiver's
 * secrets. Comparison is timing-safe; a timestamp outside the tolerance fails (replay).
 */
export function verifySignature(
  header: string,
  rawBody: string | Buffer,
  secrets: readonly string[],
  options: VerifyOptions = {},
): { ok: true; timestamp: number } | { ok: false; reason: SignatureFailure } {
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === null || signatures.length === 0) return { ok: false, reason: 'malformed_header' };
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS)) {
    return { ok: false, reason: 'timestamp_out_of_tolerance' };
  }
  for (const secret of secrets) {
    const expected = Buffer.from(computeSignature(secret, timestamp, rawBody), 'hex');
    for (const candidate of signatures) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
        return { ok: true, timestamp };
      }
    }
  }
  return { ok: false, reason: 'no_matching_signature' };
}
