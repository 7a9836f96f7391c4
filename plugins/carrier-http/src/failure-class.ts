import { carrierAnswerDetails, type ErrorCode, MasklineError } from '@maskline/plugin-sdk';

/**
 * How a provider's refusal is treated, one Maskline code each: `throttled` (retry after a
 * pause), `invalid_destination` and `rejected` (permanent), `temporary` (retry with backoff).
 */
export const FAILURE_CLASSES = ['throttled', 'invalid_destination', 'rejected', 'temporary'] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

const CODE_OF_CLASS: Readonly<Record<FailureClass, ErrorCode>> = {
  throttled: 'carrier_throttled',
  invalid_destination: 'carrier_invalid_destination',
  rejected: 'carrier_rejected',
  temporary: 'carrier_error',
};

/** When a throttling answer names no Retry-After. */
export const DEFAULT_THROTTLE_RETRY_AFTER_MS = 1_000;

export interface ProviderAnswer {
  /** The HTTP status of the answer. */
  status: number;
  /** The provider's own error code, when it gave one (e.g. Twilio's 21211). */
  providerCode?: string;
  /** The answer's Retry-After header, if any. */
  retryAfter?: string;
}

/**
 * The MasklineError for a refused send. The message names the HTTP status and the
 * provider's code only: provider messages often quote the number ("The 'To' number +44…
 * is not valid"), so they are never copied.
 */
export function failureError(provider: string, failure: FailureClass, answer: ProviderAnswer): MasklineError {
  const code = CODE_OF_CLASS[failure];
  const providerCode = answer.providerCode ? ` code ${answer.providerCode}` : '';
  return new MasklineError(code, {
    message: `${provider} answered HTTP ${answer.status}${providerCode}.`,
    details: {
      httpStatus: answer.status,
      ...carrierAnswerDetails(
        answer.providerCode ? { code: answer.providerCode } : { code: `HTTP ${answer.status}` },
      ),
    },
    ...(failure === 'throttled' ? { retryAfterMs: retryAfterMs(answer.retryAfter) } : {}),
  });
}

/** Retry-After in seconds (or an HTTP date) as milliseconds; the default when absent or odd. */
export function retryAfterMs(header: string | undefined): number {
  if (!header) return DEFAULT_THROTTLE_RETRY_AFTER_MS;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(seconds * 1000, 100);
  const at = Date.parse(header);
  if (Number.isFinite(at)) return Math.max(at - Date.now(), 100);
  return DEFAULT_THROTTLE_RETRY_AFTER_MS;
}

/** An answer that is 2xx but unusable (no id): temporary, the provider may be misbehaving. */
export function malformedAnswer(provider: string, status: number): MasklineError {
  return new MasklineError('carrier_error', {
    message: `${provider} answered HTTP ${status} without a usable message id.`,
    details: { httpStatus: status, ...carrierAnswerDetails({ code: `HTTP ${status}`, name: 'malformed' }) },
  });
}
