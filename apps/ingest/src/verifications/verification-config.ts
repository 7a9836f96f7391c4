import {
  DEFAULT_PUMPING_THRESHOLDS,
  MAX_RANGE_DIGITS,
  MIN_RANGE_DIGITS,
  type PumpingThresholds,
} from '@maskline/verification';
import { z } from 'zod';
import { parseSender } from '../messages/message-request.js';

function isSender(value: string): boolean {
  try {
    parseSender(value);
    return true;
  } catch {
    return false;
  }
}

const count = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/** The verification API's knobs (docs/verifications.md); spread into the ingest config. */
export const verificationConfigShape = {
  /**
   * Server secret keying the stored code hashes (HMAC-SHA256), >= 32 chars. Unset: the
   * /v1/verifications API is off (404). Changing it makes every pending code fail its check.
   */
  VERIFICATION_CODE_SECRET: z.string().min(32).optional(),
  /** Sender of verification messages that name no `from`: an alphanumeric id or an E.164 number. */
  VERIFICATION_DEFAULT_FROM: z
    .string()
    .refine(isSender, 'an E.164 number or an alphanumeric sender id of 1 to 11 characters')
    .default('Verify'),
  /** Most SMS segments a rendered verification message may take. */
  VERIFICATION_MAX_SEGMENTS: z.coerce.number().int().min(1).max(10).default(1),
  /** Verifications per destination number (per tenant) in a minute, an hour, a day (0 = no limit). */
  VERIFICATION_LIMIT_PER_DESTINATION_MINUTE: count(1),
  VERIFICATION_LIMIT_PER_DESTINATION_HOUR: count(5),
  VERIFICATION_LIMIT_PER_DESTINATION_DAY: count(10),
  /** Verification messages (sends and resends) per tenant in an hour (0 = no limit). */
  VERIFICATION_LIMIT_PER_TENANT_HOUR: count(1_000),
  /**
   * Per tenant and number range (the number without its last VERIFICATION_PUMPING_RANGE_DIGITS
   * digits) in an hour, and per tenant and destination country in an hour (0 = no limit).
   */
  VERIFICATION_LIMIT_PER_RANGE_HOUR: count(100),
  VERIFICATION_LIMIT_PER_COUNTRY_HOUR: count(0),
  /**
   * SMS-pumping defence (docs/verifications.md#sms-pumping): a number range with at least
   * MIN_SENDS sends in a window of WINDOW_SECONDS and fewer than MIN_COMPLETION_RATE of them
   * checked right is blocked for BLOCK_SECONDS. A range is the number without its last
   * RANGE_DIGITS digits. MIN_SENDS 0 turns the defence off.
   */
  VERIFICATION_PUMPING_MIN_SENDS: count(DEFAULT_PUMPING_THRESHOLDS.minSends),
  VERIFICATION_PUMPING_MIN_COMPLETION_RATE: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(DEFAULT_PUMPING_THRESHOLDS.minCompletionRate),
  VERIFICATION_PUMPING_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(DEFAULT_PUMPING_THRESHOLDS.windowMs / 1000),
  VERIFICATION_PUMPING_BLOCK_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(DEFAULT_PUMPING_THRESHOLDS.blockMs / 1000),
  VERIFICATION_PUMPING_RANGE_DIGITS: z.coerce
    .number()
    .int()
    .min(MIN_RANGE_DIGITS)
    .max(MAX_RANGE_DIGITS)
    .default(DEFAULT_PUMPING_THRESHOLDS.rangeDigits),
};

/** The SMS-pumping thresholds from the configuration. */
export function pumpingThresholdsOf(config: {
  VERIFICATION_PUMPING_MIN_SENDS: number;
  VERIFICATION_PUMPING_MIN_COMPLETION_RATE: number;
  VERIFICATION_PUMPING_WINDOW_SECONDS: number;
  VERIFICATION_PUMPING_BLOCK_SECONDS: number;
  VERIFICATION_PUMPING_RANGE_DIGITS: number;
}): PumpingThresholds {
  return {
    minSends: config.VERIFICATION_PUMPING_MIN_SENDS,
    minCompletionRate: config.VERIFICATION_PUMPING_MIN_COMPLETION_RATE,
    windowMs: config.VERIFICATION_PUMPING_WINDOW_SECONDS * 1000,
    blockMs: config.VERIFICATION_PUMPING_BLOCK_SECONDS * 1000,
    rangeDigits: config.VERIFICATION_PUMPING_RANGE_DIGITS,
  };
}

export interface VerificationLimitSettings {
  perDestinationMinute: number;
  perDestinationHour: number;
  perDestinationDay: number;
  perTenantHour: number;
  /** Per number range and per destination country in an hour (absent or 0: no limit). */
  perRangeHour?: number;
  perCountryHour?: number;
}
