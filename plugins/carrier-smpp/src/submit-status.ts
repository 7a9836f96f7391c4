/// <reference types="@maskline/smpp-types" preserve="true" />
import { MasklineError } from '@maskline/core';
import smpp from 'smpp';
import type { StatusRule } from './internal-types.js';

/**
 * What a non-zero command_status on submit_sm_resp (or a generic_nack answering a
 * submit_sm) means for Maskline. One table, one place, keyed by the SMPP 3.4 names as the
 * smpp package spells them (SMPP 3.4 §5.1.3). Anything not listed is a temporary carrier
 * error (carrier_error, retried with backoff): an unknown status is more often a passing
 * SMSC fault than a verdict on the message, and wrongly giving up loses a message while
 * wrongly retrying only costs a few attempts.
 */
export const THROTTLE_RETRY_AFTER_MS = 1000;

const throttled: StatusRule = { code: 'carrier_throttled', retryAfterMs: THROTTLE_RETRY_AFTER_MS };
const badDestination: StatusRule = { code: 'carrier_invalid_destination' };
const rejected: StatusRule = { code: 'carrier_rejected' };
const transient: StatusRule = { code: 'carrier_error' };

const RULES_BY_NAME: Readonly<Record<string, StatusRule>> = {
  // The SMSC asks us to slow down: retry the same message after a pause.
  ESME_RTHROTTLED: throttled, // 0x58 throttling error (ESME exceeded allowed message limits)
  ESME_RMSGQFUL: throttled, // 0x14 message queue full

  // The destination itself is wrong: retrying cannot help.
  ESME_RINVDSTADR: badDestination, // 0x0B invalid destination address
  ESME_RINVDSTTON: badDestination, // 0x50 invalid destination TON
  ESME_RINVDSTNPI: badDestination, // 0x51 invalid destination NPI
  ESME_RINVDSTADDRSUBUNIT: badDestination, // 0x106 invalid destination address subunit

  // The message as we built it is refused: permanent until config or content changes.
  ESME_RINVMSGLEN: rejected, // 0x01 message length is invalid
  ESME_RINVCMDLEN: rejected, // 0x02 command length is invalid
  ESME_RINVCMDID: rejected, // 0x03 invalid command id (submit_sm not allowed on this bind)
  ESME_RINVPRTFLG: rejected, // 0x06 invalid priority flag
  ESME_RINVREGDLVFLG: rejected, // 0x07 invalid registered delivery flag
  ESME_RINVSRCADR: rejected, // 0x0A invalid source address
  ESME_RINVSERTYP: rejected, // 0x15 invalid service type
  ESME_RINVESMCLASS: rejected, // 0x43 invalid esm_class
  ESME_RINVSRCTON: rejected, // 0x48 invalid source TON
  ESME_RINVSRCNPI: rejected, // 0x49 invalid source NPI
  ESME_RINVSCHED: rejected, // 0x61 invalid scheduled delivery time
  ESME_RINVEXPIRY: rejected, // 0x62 invalid validity period
  ESME_RX_P_APPN: rejected, // 0x65 ESME receiver permanent app error
  ESME_RX_R_APPN: rejected, // 0x66 ESME receiver reject message
  ESME_RINVTLVSTREAM: rejected, // 0xC0 error in the optional part of the PDU
  ESME_RTLVNOTALLWD: rejected, // 0xC1 optional parameter not allowed
  ESME_RINVTLVLEN: rejected, // 0xC2 invalid parameter length
  ESME_RMISSINGTLV: rejected, // 0xC3 expected optional parameter missing
  ESME_RINVTLVVAL: rejected, // 0xC4 invalid optional parameter value
  ESME_RSERTYPUNAUTH: rejected, // 0x100 not authorised for this service type
  ESME_RPROHIBITED: rejected, // 0x101 ESME prohibited from this operation
  ESME_RSERTYPDENIED: rejected, // 0x103 service type denied
  ESME_RINVDCS: rejected, // 0x104 invalid data coding scheme
  ESME_RINVSRCADDRSUBUNIT: rejected, // 0x105 invalid source address subunit

  // Explicitly transient (the same as the default, listed for the reader).
  ESME_RINVBNDSTS: transient, // 0x04 the SMSC thinks we are not bound: a new bind fixes it
  ESME_RSYSERR: transient, // 0x08 system error
  ESME_RSUBMITFAIL: transient, // 0x45 submit_sm failed
  ESME_RX_T_APPN: transient, // 0x64 ESME receiver temporary app error
  ESME_RSERTYPUNAVAIL: transient, // 0x102 service type unavailable
  ESME_RUNKNOWNERR: transient, // 0xFF unknown error
};

/** The table by command_status. Fails at load if a name is not an SMPP status the package knows. */
export const SUBMIT_STATUS_RULES: ReadonlyMap<number, StatusRule> = new Map(
  Object.entries(RULES_BY_NAME).map(([name, rule]) => {
    const status = smpp.errors[name];
    if (status === undefined) throw new Error(`submit-status: unknown SMPP status ${name}`);
    return [status, rule] as const;
  }),
);

const namesByStatus = new Map<number, string>();
for (const [name, status] of Object.entries(smpp.errors)) {
  if (!namesByStatus.has(status)) namesByStatus.set(status, name);
}

/** The SMPP name of a command_status ("ESME_RINVPASWD"), or undefined when the package has none. */
export function statusName(status: number): string | undefined {
  return namesByStatus.get(status);
}

/** "ESME_RTHROTTLED (0x00000058)", or just the hex for a status the package doesn't name. */
export function statusLabel(status: number): string {
  const hex = `0x${status.toString(16).padStart(8, '0').toUpperCase()}`;
  const name = namesByStatus.get(status);
  return name ? `${name} (${hex})` : hex;
}

export function submitStatusRule(status: number): StatusRule {
  return SUBMIT_STATUS_RULES.get(status) ?? transient;
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
