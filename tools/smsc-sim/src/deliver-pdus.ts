import type { ReceiptOutcome } from './receipt-rules.js';
import { encodeText } from './text-codec.js';

/**
 * Field sets for the deliver_sm PDUs the simulator sends: delivery receipts and MO
 * messages. Bodies are always Buffers with data_coding set, so the smpp package sends the
 * octets as they are.
 */
export interface Address {
  addr: string;
  ton: number;
  npi: number;
}

/** The longest body sent in short_message; longer ones go in message_payload (one SMS: 140). */
export const SHORT_MESSAGE_MAX_OCTETS = 140;

/** `+447700900123` → international/ISDN; digits → unknown/ISDN; anything else → alphanumeric. */
export function addressOf(value: string): Address {
  if (/^\+\d+$/.test(value)) return { addr: value.slice(1), ton: 1, npi: 1 };
  if (/^\d+$/.test(value)) return { addr: value, ton: 0, npi: 1 };
  return { addr: value, ton: 5, npi: 0 };
}

/** YYMMDDhhmm in UTC, as receipts' submit date / done date. */
export function receiptDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    two(date.getUTCFullYear() % 100) +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes())
  );
}

/**
 * The de-facto standard receipt text (SMPP 3.4 Appendix B). The body is never echoed:
 * `text:` stays empty.
 */
export function receiptText(id: string, outcome: ReceiptOutcome, submittedAt: Date, doneAt: Date): string {
  const delivered = outcome.stat === 'DELIVRD' ? '001' : '000';
  return (
    `id:${id} sub:001 dlvrd:${delivered} submit date:${receiptDate(submittedAt)} ` +
    `done date:${receiptDate(doneAt)} stat:${outcome.stat} err:${outcome.err} text:`
  );
}

export interface ReceiptInput {
  messageId: string;
  /** The submit's source and destination; the receipt swaps them. */
  submitSource: Address;
  submitDestination: Address;
  outcome: ReceiptOutcome;
  submittedAt: Date;
  doneAt: Date;
}

export function receiptFields(input: ReceiptInput): Record<string, unknown> {
  const text = receiptText(input.messageId, input.outcome, input.submittedAt, input.doneAt);
  return {
    source_addr_ton: input.submitDestination.ton,
    source_addr_npi: input.submitDestination.npi,
    source_addr: input.submitDestination.addr,
    dest_addr_ton: input.submitSource.ton,
    dest_addr_npi: input.submitSource.npi,
    destination_addr: input.submitSource.addr,
    esm_class: 0x04,
    data_coding: 0x00,
    short_message: Buffer.from(text, 'latin1'),
    receipted_message_id: input.messageId,
    message_state: input.outcome.messageState,
  };
}

export function moFields(mo: { from: string; to: string; text: string }): Record<string, unknown> {
  const from = addressOf(mo.from);
  const to = addressOf(mo.to);
  const { dataCoding, bytes } = encodeText(mo.text);
  const long = bytes.length > SHORT_MESSAGE_MAX_OCTETS;
  return {
    source_addr_ton: from.ton,
    source_addr_npi: from.npi,
    source_addr: from.addr,
    dest_addr_ton: to.ton,
    dest_addr_npi: to.npi,
    destination_addr: to.addr,
    esm_class: 0x00,
    data_coding: dataCoding,
    short_message: long ? Buffer.alloc(0) : bytes,
    ...(long ? { message_payload: bytes } : {}),
  };
}
