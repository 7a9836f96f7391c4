import type { MasklineError } from '@maskline/plugin-sdk';
import { type FailureClass, failureError } from '../failure-class.js';

/**
 * Twilio error codes (https://www.twilio.com/docs/api/errors) with a class of their own;
 * any other 4xx is `rejected` (the request as built is refused: resending it unchanged
 * is refused again), 429 is `throttled`, 5xx and anything else `temporary`.
 */
const CLASS_OF_CODE: Readonly<Record<string, FailureClass>> = {
  '20429': 'throttled', // Too many requests
  '14107': 'throttled', // Message rate limit exceeded
  '21211': 'invalid_destination', // Invalid 'To' phone number
  '21214': 'invalid_destination', // 'To' phone number cannot be reached
  '21612': 'invalid_destination', // The 'To' phone number is not currently reachable via SMS
  '21614': 'invalid_destination', // 'To' number is not a valid mobile number
  '21610': 'rejected', // Attempt to send to unsubscribed recipient (STOP)
  '21606': 'rejected', // The 'From' number is not a valid, SMS-capable number for this account
  '21408': 'rejected', // Permission to send an SMS has not been enabled for the region
  '20003': 'rejected', // Authentication failed (auth token or account SID wrong)
};

export function twilioFailureClass(status: number, code: string | undefined): FailureClass {
  const byCode = code === undefined ? undefined : CLASS_OF_CODE[code];
  if (byCode) return byCode;
  if (status === 429) return 'throttled';
  if (status >= 400 && status < 500) return 'rejected';
  return 'temporary';
}

/** The error for a Twilio answer that is not 2xx; its JSON body gives Twilio's code. */
export function twilioError(status: number, body: string, retryAfter: string | undefined): MasklineError {
  const code = twilioErrorCode(body);
  return failureError('Twilio', twilioFailureClass(status, code), {
    status,
    ...(code === undefined ? {} : { providerCode: code }),
    ...(retryAfter === undefined ? {} : { retryAfter }),
  });
}

/** Twilio's numeric `code` from an error body (`{"code":21211,"message":…}`), if any. */
function twilioErrorCode(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === 'number' || (typeof code === 'string' && /^\d{1,8}$/.test(code))
      ? String(code)
      : undefined;
  } catch {
    return undefined;
  }
}
