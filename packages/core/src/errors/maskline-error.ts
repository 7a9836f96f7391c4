import { type ErrorCode, errorDefinition, isErrorCode, type RetryClass } from './error-catalogue.js';

export interface MasklineErrorOptions {
  /** Client-safe detail; never a phone number, body or code. Defaults to the catalogue message. */
  message?: string;
  /** The original error, kept for logs (never sent to clients). */
  cause?: unknown;
  /** For retry_after errors: how long to wait before retrying, in milliseconds. */
  retryAfterMs?: number;
  /** Structured, client-safe details (e.g. which field was wrong). */
  details?: Record<string, string | number | boolean>;
}

/** An error with a stable code from the catalogue. */
export class MasklineError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retry: RetryClass;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, string | number | boolean> | undefined;

  constructor(code: ErrorCode, options: MasklineErrorOptions = {}) {
    const def = errorDefinition(code);
    super(options.message ?? def.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MasklineError';
    this.code = code;
    this.status = def.status;
    this.retry = def.retry;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }

  /** The client-facing body: `{"error":{"code":...,"message":...}}`. */
  toResponseBody(): { error: { code: ErrorCode; message: string; details?: Record<string, unknown> } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

export function isMasklineError(value: unknown): value is MasklineError {
  return value instanceof MasklineError;
}

/**
 * Normalize anything thrown at a boundary into a MasklineError, keeping the cause.
 * An error that already carries a catalogue code (e.g. from another realm) keeps it.
 */
export function toMasklineError(cause: unknown, fallback: ErrorCode = 'internal_error'): MasklineError {
  if (cause instanceof MasklineError) return cause;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && isErrorCode(cause.code)) {
    return new MasklineError(cause.code, { cause });
  }
  return new MasklineError(fallback, { cause });
}
