import { createHmac, hkdfSync } from 'node:crypto';

/** Container token of the ingest's RequestDigests (POST /v1/messages and masking sends). */
export const IDEMPOTENCY_DIGESTS = Symbol.for('maskline.ingest.IdempotencyDigests');

/** HKDF info for the key derived from API_KEY_PEPPER when IDEMPOTENCY_KEY_SECRET is unset. */
const DERIVED_KEY_INFO = 'maskline/ingest/idempotency-request-digest/v1';

export interface RequestDigestSettings {
  /** The secret for idempotency digests (IDEMPOTENCY_KEY_SECRET); unset: derived from the pepper. */
  IDEMPOTENCY_KEY_SECRET?: string | undefined;
  API_KEY_PEPPER: string;
  /** Also take a digest keyed by the pepper itself (how rows were written before the split). */
  IDEMPOTENCY_LEGACY_DIGESTS: boolean;
}

/** A request's digest, and the one it had before IDEMPOTENCY_KEY_SECRET existed (when still honoured). */
export interface RequestDigest {
  requestDigest: Buffer;
  legacyRequestDigest: Buffer | null;
}

/**
 * Keyed digests that tell an Idempotency-Key retry from a reuse of the key with other
 * content (a 200 replay vs 409 idempotency_conflict). The key is its own secret, not the
 * API-key pepper: knowing one must not give the other, and either can be rotated alone.
 *
 * Rows accepted before this split carry a digest keyed by the pepper itself; while
 * `legacyKey` is set a retry of such a request still replays (the digest stored for new
 * rows is never keyed by the pepper).
 */
export class RequestDigests {
  constructor(
    private readonly key: Buffer,
    private readonly legacyKey: string | null = null,
  ) {}

  /** From the ingest configuration: IDEMPOTENCY_KEY_SECRET, else an HKDF of the pepper. */
  static fromConfig(config: RequestDigestSettings): RequestDigests {
    return new RequestDigests(
      digestKeyOf(config),
      config.IDEMPOTENCY_LEGACY_DIGESTS ? config.API_KEY_PEPPER : null,
    );
  }

  of(fields: readonly unknown[]): RequestDigest {
    const text = JSON.stringify(fields);
    return {
      requestDigest: createHmac('sha256', this.key).update(text).digest(),
      legacyRequestDigest: this.legacyKey ? createHmac('sha256', this.legacyKey).update(text).digest() : null,
    };
  }
}

/**
 * IDEMPOTENCY_KEY_SECRET when set. Unset, a key derived from the pepper with HKDF-SHA256
 * (a distinct key, so a digest never reveals anything keyed by the pepper, but not an
 * independent secret: the ingest warns at boot; see docs/reference/configuration.md).
 */
export function digestKeyOf(
  config: Pick<RequestDigestSettings, 'IDEMPOTENCY_KEY_SECRET' | 'API_KEY_PEPPER'>,
): Buffer {
  if (config.IDEMPOTENCY_KEY_SECRET) return Buffer.from(config.IDEMPOTENCY_KEY_SECRET, 'utf8');
  return Buffer.from(hkdfSync('sha256', config.API_KEY_PEPPER, Buffer.alloc(0), DERIVED_KEY_INFO, 32));
}
