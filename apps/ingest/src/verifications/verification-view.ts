import type { VerificationRecord } from '@maskline/storage';
import type { VerificationStatus } from '@maskline/verification';

export interface VerificationView {
  id: string;
  status: VerificationStatus;
  /** The destination, masked as every API answer masks numbers. */
  to: string;
  expiresAt: string;
  /** The message carrying the current code (GET /v1/messages/{id} shows its delivery). */
  messageId: string | null;
  /** The masking session whose virtual number sends the codes (virtualNumber), else null. */
  sessionId: string | null;
  attempts: number;
  attemptsRemaining: number;
  sendCount: number;
  createdAt: string;
  updatedAt: string;
}

/** The API's view of a verification: never the code, never the real number. */
export function toVerificationView(record: VerificationRecord): VerificationView {
  return {
    id: record.id,
    // A pending verification past its expiry (by the database clock) reads as expired.
    status: record.status === 'pending' && record.expired ? 'expired' : record.status,
    to: record.toMasked,
    expiresAt: record.expiresAt.toISOString(),
    messageId: record.messageId,
    sessionId: record.sessionId,
    attempts: record.attempts,
    attemptsRemaining: Math.max(0, record.maxAttempts - record.attempts),
    sendCount: record.sendCount,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}
