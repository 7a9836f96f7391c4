/** A verification's lifecycle (docs/verifications.md). Only `pending` accepts checks and resends. */
export const VERIFICATION_STATUSES = ['pending', 'approved', 'expired', 'locked', 'canceled'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_MAX_SENDS = 5;
export const RESEND_COOLDOWN_MS = 30_000;

/** What one counted check ends in; each is also a `verification.*` webhook event. */
export type CheckOutcome = 'approved' | 'failed' | 'locked';

/**
 * The outcome of a check that was counted as attempt number `attempts` (of `maxAttempts`):
 * the right code approves; a wrong one fails, and locks the verification once no attempt
 * is left.
 */
export function checkOutcome(matched: boolean, attempts: number, maxAttempts: number): CheckOutcome {
  if (matched) return 'approved';
  return attempts >= maxAttempts ? 'locked' : 'failed';
}
