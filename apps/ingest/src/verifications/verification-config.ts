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
};

export interface VerificationLimitSettings {
  perDestinationMinute: number;
  perDestinationHour: number;
  perDestinationDay: number;
  perTenantHour: number;
}
