/// <reference types="@maskline/smpp-types" preserve="true" />
import { carrierAnswerDetails, MasklineError } from '@maskline/core';
import smpp from 'smpp';
import type { StatusRule } from './internal-types.js';

/**
 * What a non-zero command_status on submit_sm_resp (or a generic_nack answering a
 * submit_sm) means for Maskline. One table, one place, keyed by the SMPP 3.4 names as the
 * smpp package spells them (SMPP 3.4 §5.1.3). Anything not listed is a temporary carrier
 * error (carrier_error, retried with backoff): an unknown status is more often a passing
 * SMSC fault than a verdict on the message, and wrongly giving up loses a message while
 * wrongly retrying only costs a few attempts. Carriers disagree on some statuses (0x45
 * ESME_RSUBMITFAIL above all), so a carrier's config can move any status to another class
 * (`submitStatusOverrides`, see SubmitStatusTable).
 */
export const THROTTLE_RETRY_AFTER_MS = 1000;

/** The classes a status can be put in; each is one Maskline error code. */
export const SUBMIT_STATUS_CLASSES = ['throttled', 'invalid_destination', 'rejected', 'transient'] as const;
export type SubmitStatusClass = (typeof SUBMIT_STATUS_CLASSES)[number];

const RULE_OF_CLASS: Readonly<Record<SubmitStatusClass, StatusRule>> = {
  throttled: { code: 'carrier_throttled', retryAfterMs: THROTTLE_RETRY_AFTER_MS },
  invalid_destination: { code: 'carrier_invalid_destination' },
  rejected: { code: 'carrier_rejected' },
  transient: { code: 'carrier_error' },
};
const throttled: SubmitStatusClass = 'throttled';
const badDestination: SubmitStatusClass = 'invalid_destination';
const rejected: SubmitStatusClass = 'rejected';
const transient: SubmitStatusClass = 'transient';

const RULES_BY_NAME: Readonly<Record<string, SubmitStatusClass>> = {
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

const namesByStatus = new Map<number, string>();
for (const [name, status] of Object.entries(smpp.errors)) {
  if (!namesByStatus.has(status)) namesByStatus.set(status, name);
}

/** The SMPP name of a command_status ("ESME_RINVPASWD"), or undefined when the package has none. */
export function statusName(status: number): string | undefined {
  return namesByStatus.get(status);
}

/** "0x00000045": the command_status as 8 upper-case hex digits. */
export function statusHex(status: number): string {
  return `0x${status.toString(16).padStart(8, '0').toUpperCase()}`;
}

/** "ESME_RTHROTTLED (0x00000058)", or just the hex for a status the package doesn't name. */
export function statusLabel(status: number): string {
  const name = namesByStatus.get(status);
  return name ? `${name} (${statusHex(status)})` : statusHex(status);
}

/**
 * The command_status an override key names: an SMPP name the smpp package knows
 * ("ESME_RSUBMITFAIL") or hex ("0x45", "0x00000045", any case), never 0 (ESME_ROK).
 * Undefined when the key is neither.
 */
export function parseStatusKey(key: string): number | undefined {
  const hex = /^0x([0-9a-f]{1,8})$/i.exec(key.trim());
  const status = hex ? Number.parseInt(hex[1]!, 16) : smpp.errors[key.trim()];
  return status === undefined || status === 0 ? undefined : status;
}

/** The classes by command_status, built from RULES_BY_NAME. Fails at load on a name the package does not know. */
const DEFAULT_CLASSES: ReadonlyMap<number, SubmitStatusClass> = new Map(
  Object.entries(RULES_BY_NAME).map(([name, statusClass]) => {
    const status = smpp.errors[name];
    if (status === undefined) throw new Error(`submit-status: unknown SMPP status ${name}`);
    return [status, statusClass] as const;
  }),
);

/**
 * The status table of one carrier: the defaults above with the carrier's
 * `submitStatusOverrides` applied (keys already validated by the config schema).
 */
export class SubmitStatusTable {
  readonly #classes: Map<number, SubmitStatusClass>;

  constructor(overrides: Readonly<Record<string, SubmitStatusClass>> = {}) {
    this.#classes = new Map(DEFAULT_CLASSES);
    for (const [key, statusClass] of Object.entries(overrides)) {
      const status = parseStatusKey(key);
      if (status === undefined)
        throw new Error(`submit-status: ${JSON.stringify(key)} is not an SMPP status`);
      this.#classes.set(status, statusClass);
    }
  }

  /** The class of a non-zero command_status ('transient' when not listed). */
  classOf(status: number): SubmitStatusClass {
    return this.#classes.get(status) ?? transient;
  }

  rule(status: number): StatusRule {
    return RULE_OF_CLASS[this.classOf(status)];
  }

  /** The SMSC asks us to slow down: the bind resends after a pause instead of failing at once. */
  isThrottling(status: number): boolean {
    return status !== 0 && this.classOf(status) === 'throttled';
  }

  /** Every listed status with its rule (the defaults plus this carrier's overrides). */
  entries(): Array<[number, StatusRule]> {
    return [...this.#classes].map(([status, statusClass]) => [status, RULE_OF_CLASS[statusClass]]);
  }

  /**
   * The MasklineError for a failed submit. The message names the status only (no PII);
   * details carry the carrier's answer (carrierStatusCode "0x00000045", carrierStatusName
   * "ESME_RSUBMITFAIL" when the package names it) and the raw smppCommandStatus.
   */
  error(status: number, command = 'submit_sm_resp'): MasklineError {
    const rule = this.rule(status);
    return new MasklineError(rule.code, {
      message: `SMPP ${command} status ${statusLabel(status)}`,
      details: { smppCommandStatus: status, ...smppCarrierAnswer(status) },
      ...(rule.retryAfterMs === undefined ? {} : { retryAfterMs: rule.retryAfterMs }),
    });
  }
}

/** The carrierAnswerDetails of a command_status (hex code, and the SMPP name when known). */
export function smppCarrierAnswer(status: number): Record<string, string> {
  const name = statusName(status);
  return carrierAnswerDetails(
    name === undefined ? { code: statusHex(status) } : { code: statusHex(status), name },
  );
}

/** The default table (no overrides). */
export const DEFAULT_SUBMIT_STATUS_TABLE = new SubmitStatusTable();
