/// <reference types="@maskline/smpp-types" preserve="true" />
import { type ErrorCode, MasklineError } from '@maskline/core';
import smpp from 'smpp';

/**
 * What a non-zero command_status on submit_sm_resp (or a generic_nack answering a
 * submit_sm) means for Maskline. One table, one place. Anything not listed is treated as
 * a temporary carrier error (carrier_error, retried with backoff): an unknown status is
 * more often a passing SMSC fault than a verdict on the message.
 */
interface StatusRule {
  code: ErrorCode;
  retryAfterMs?: number;
}

export const THROTTLE_RETRY_AFTER_MS = 1000;

export const SUBMIT_STATUS_RULES: ReadonlyMap<number, StatusRule> = new Map<number, StatusRule>([
  // The SMSC asks us to slow down: retry the same message after a pause.
  [0x58, { code: 'carrier_throttled', retryAfterMs: THROTTLE_RETRY_AFTER_MS }], // ESME_RTHROTTLED
  [0x14, { code: 'carrier_throttled', retryAfterMs: THROTTLE_RETRY_AFTER_MS }], // ESME_RMSGQFUL
  // The destination itself is wrong: retrying cannot help.
  [0x0b, { code: 'carrier_invalid_destination' }], // ESME_RINVDSTADR
  [0x50, { code: 'carrier_invalid_destination' }], // ESME_RINVDSTTON
  [0x51, { code: 'carrier_invalid_destination' }], // ESME_RINVDSTNPI
  // The message as built is refused: permanent until someone changes config or content.
  [0x0a, { code: 'carrier_rejected' }], // ESME_RINVSRCADR
  [0x48, { code: 'carrier_rejected' }], // ESME_RINVSRCTON
  [0x49, { code: 'carrier_rejected' }], // ESME_RINVSRCNPI
  [0x01, { code: 'carrier_rejected' }], // ESME_RINVMSGLEN
  [0x43, { code: 'carrier_rejected' }], // ESME_RINVESMCLASS
  [0x07, { code: 'carrier_rejected' }], // ESME_RINVREGDLVFLG
  [0xc2, { code: 'carrier_rejected' }], // ESME_RINVPARLEN
  [0xc0, { code: 'carrier_rejected' }], // ESME_RINVOPTPARSTREAM
  // Explicitly transient (same as the default, listed for the reader).
  [0x08, { code: 'carrier_error' }], // ESME_RSYSERR
  [0x45, { code: 'carrier_error' }], // ESME_RSUBMITFAIL
]);

const namesByStatus = new Map<number, string>();
for (const [name, status] of Object.entries(smpp.errors)) {
  if (!namesByStatus.has(status)) namesByStatus.set(status, name);
}

/** "ESME_RTHROTTLED (0x00000058)", or just the hex for a status the package doesn't name. */
export function statusLabel(status: number): string {
  const hex = `0x${status.toString(16).padStart(8, '0').toUpperCase()}`;
  const name = namesByStatus.get(status);
  return name ? `${name} (${hex})` : hex;
}

export function statusName(status: number): string | undefined {
  return namesByStatus.get(status);
}

export function submitStatusRule(status: number): StatusRule {
  return SUBMIT_STATUS_RULES.get(status) ?? { code: 'carrier_error' };
}

/** The MasklineError for a failed submit. The message names the status only (no PII). */
export function submitStatusError(status: number, command = 'submit_sm_resp'): MasklineError {
  const rule = submitStatusRule(status);
  return new MasklineError(rule.code, {
    message: `SMPP ${command} status ${statusLabel(status)}`,
    details: { smppCommandStatus: status },
    ...(rule.retryAfterMs === undefined ? {} : { retryAfterMs: rule.retryAfterMs }),
  });
}
