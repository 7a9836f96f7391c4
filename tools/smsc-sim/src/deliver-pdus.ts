import type { ReceiptOutcome } from './receipt-rules.js';
import { encodeText, type MultipartScheme, splitOctets } from './text-codec.js';

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

export interface MultipartMoInput {
  from: string;
  to: string;
  text: string;
  scheme: MultipartScheme;
  /** Concatenation reference (8-bit schemes use its low octet). */
  ref: number;
  /** Octets per part (default 153 GSM / 134 UCS-2). */
  partOctets?: number;
}

/** One deliver_sm field set per part of a multipart MO, with a UDH (esm_class 0x40) or SAR TLVs. */
export function multipartMoFields(mo: MultipartMoInput): Record<string, unknown>[] {
  const base = moFields({ from: mo.from, to: mo.to, text: '' });
  const { dataCoding, bytes } = encodeText(mo.text);
  const parts = splitOctets(bytes, dataCoding, mo.partOctets);
  const total = parts.length;
  return parts.map((part, index) => {
    const seq = index + 1;
    const common = { ...base, data_coding: dataCoding };
    if (mo.scheme === 'sar') {
      return {
        ...common,
        short_message: part,
        sar_msg_ref_num: mo.ref & 0xffff,
        sar_total_segments: total,
        sar_segment_seqnum: seq,
      };
    }
    const udh =
      mo.scheme === 'udh16'
        ? Buffer.from([0x06, 0x08, 0x04, (mo.ref >> 8) & 0xff, mo.ref & 0xff, total, seq])
        : Buffer.from([0x05, 0x00, 0x03, mo.ref & 0xff, total, seq]);
    return { ...common, esm_class: 0x40, short_message: Buffer.concat([udh, part]) };
  });
}
