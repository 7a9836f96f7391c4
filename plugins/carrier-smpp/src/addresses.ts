import { MasklineError } from '@maskline/core';
import type { SmppAddress } from './internal-types.js';
import type { SmppConfig } from './types.js';

/**
 * Maskline senders and recipients as SMPP addresses, validated before they reach the
 * codec: the smpp package writes a string as ASCII C-octet string without checking it, so
 * a NUL or a non-ASCII character would corrupt the PDU. Error messages name the field,
 * never the value (it is a phone number).
 */
const INTERNATIONAL = /^\+[1-9]\d{1,19}$/;
const NUMERIC = /^\d{1,20}$/;
/** 3GPP TS 23.040 allows 11 characters for an alphanumeric originator. */
const ALPHANUMERIC = /^[\x20-\x7e]{1,11}$/;
const E164 = /^\+[1-9]\d{1,14}$/;

/** How a sender maps onto source_addr / TON / NPI: "+digits", bare digits, or alphanumeric. */
export function sourceAddress(from: string, config: SmppConfig): SmppAddress {
  if (INTERNATIONAL.test(from)) {
    return { addr: from.slice(1), ton: config.sourceTonInternational, npi: config.sourceNpiInternational };
  }
  if (NUMERIC.test(from)) {
    return { addr: from, ton: config.sourceTonNumeric, npi: config.sourceNpiNumeric };
  }
  if (ALPHANUMERIC.test(from) && from.trim() === from) {
    return { addr: from, ton: config.sourceTonAlphanumeric, npi: config.sourceNpiAlphanumeric };
  }
  throw new MasklineError('carrier_rejected', {
    message: 'The sender must be +digits, up to 20 digits, or 1-11 printable ASCII characters.',
    details: { field: 'from' },
  });
}

/** The destination: E.164, sent without the "+". */
export function destinationAddress(to: string, config: SmppConfig): SmppAddress {
  if (!E164.test(to)) {
    throw new MasklineError('carrier_invalid_destination', {
      message: 'The destination is not an E.164 number.',
      details: { field: 'to' },
    });
  }
  return { addr: to.slice(1), ton: config.destTon, npi: config.destNpi };
}

const TON_INTERNATIONAL = 1;

/** An inbound address for Maskline: an international number gets its "+" back. */
export function inboundAddress(addr: string, ton: number): string {
  return ton === TON_INTERNATIONAL && /^\d+$/.test(addr) ? `+${addr}` : addr;
}
