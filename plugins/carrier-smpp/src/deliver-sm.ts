/// <reference types="@maskline/smpp-types" preserve="true" />
import type { PDU } from 'smpp';
import { inboundAddress } from './addresses.js';
import { alphabetOf, decodeText, decodeUcs2 } from './encoding.js';
import type { DeliverSmDecision } from './internal-types.js';
import { deliverSmBody } from './message-octets.js';
import { parseReceipt } from './receipt-parser.js';

/**
 * What a deliver_sm from the SMSC is. esm_class bits 5-2 (SMPP 3.4 §5.2.12) say:
 *  - 0000 (0x00) default: a mobile-originated message → InboundEvent.
 *  - 0001 (0x04) SMSC delivery receipt → ReceiptEvent.
 *  - 1000 (0x20) intermediate delivery notification → ReceiptEvent (usually enroute).
 *  - 0010 (0x08) SME delivery acknowledgement, 0100 (0x10) user acknowledgement,
 *    0110 (0x18) conversation abort, and the reserved values: we never ask for these
 *    (registered_delivery bits 3-2 stay 0) and they carry no message state, so they are
 *    acknowledged and dropped. Publishing them as MO would invent inbound messages.
 */
const ESM_TYPE_MASK = 0x3c;
const ESM_DEFAULT = 0x00;
const ESM_DELIVERY_RECEIPT = 0x04;
const ESM_INTERMEDIATE_NOTIFICATION = 0x20;

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

export function deliverSmType(pdu: PDU): 'receipt' | 'inbound' | 'other' {
  const type = num(pdu.esm_class) & ESM_TYPE_MASK;
  if (type === ESM_DELIVERY_RECEIPT || type === ESM_INTERMEDIATE_NOTIFICATION) return 'receipt';
  return type === ESM_DEFAULT ? 'inbound' : 'other';
}

/**
 * Read a deliver_sm into the event to publish. `receivedAt` is the host clock's now (ISO).
 * Pure: no I/O, so the carrier decides what to answer the SMSC.
 */
export function readDeliverSm(pdu: PDU, receivedAt: string): DeliverSmDecision {
  const kind = deliverSmType(pdu);
  if (kind === 'other') return { kind: 'ignored', reason: 'sme_acknowledgement' };
  const dataCoding = num(pdu.data_coding);
  const { octets, udh } = deliverSmBody(pdu);
  if (kind === 'receipt') {
    const receipt = parseReceipt(receiptText(octets, dataCoding), {
      receiptedMessageId: str(pdu.receipted_message_id) || undefined,
      messageState: typeof pdu.message_state === 'number' ? pdu.message_state : undefined,
      networkErrorCode: Buffer.isBuffer(pdu.network_error_code) ? pdu.network_error_code : undefined,
    });
    if (!receipt) return { kind: 'ignored', reason: 'receipt_without_id' };
    return { kind: 'receipt', event: { type: 'receipt', ...receipt } };
  }
  const event = {
    type: 'inbound' as const,
    from: inboundAddress(str(pdu.source_addr), num(pdu.source_addr_ton)),
    to: inboundAddress(str(pdu.destination_addr), num(pdu.dest_addr_ton)),
    body: decodeText(octets, dataCoding),
    receivedAt,
  };
  const concat = concatenationOf(pdu, udh);
  if (!concat) return { kind: 'inbound', event };
  const key = `${concat.scheme}:${concat.ref}:${concat.total}:${event.from}:${event.to}`;
  return {
    kind: 'inbound',
    event,
    part: { key, total: concat.total, seq: concat.seq, octets: Buffer.from(octets), dataCoding },
  };
}

export interface Concatenation {
  /** Where the reference came from: UDH IE 0x00 (8-bit), IE 0x08 (16-bit), or the sar_* TLVs. */
  scheme: 'udh8' | 'udh16' | 'sar';
  ref: number;
  total: number;
  seq: number;
}

/**
 * The concatenation info of an MO part: a UDH IE 0x00 / 0x08, else the SAR TLVs. Undefined
 * for a whole message, or when the values make no sense (total < 2, seq outside 1..total):
 * such a part is published on its own rather than held for parts that cannot come.
 */
export function concatenationOf(pdu: PDU, udh: readonly Buffer[]): Concatenation | undefined {
  let found: Concatenation | undefined;
  for (const ie of udh) {
    if (ie[0] === 0x00 && ie[1] === 3 && ie.length === 5) {
      found = { scheme: 'udh8', ref: ie[2]!, total: ie[3]!, seq: ie[4]! };
      break;
    }
    if (ie[0] === 0x08 && ie[1] === 4 && ie.length === 6) {
      found = { scheme: 'udh16', ref: ie.readUInt16BE(2), total: ie[4]!, seq: ie[5]! };
      break;
    }
  }
  if (!found && typeof pdu.sar_msg_ref_num === 'number') {
    found = {
      scheme: 'sar',
      ref: pdu.sar_msg_ref_num,
      total: num(pdu.sar_total_segments),
      seq: num(pdu.sar_segment_seqnum),
    };
  }
  if (!found || found.total < 2 || found.seq < 1 || found.seq > found.total) return undefined;
  return found;
}

/**
 * Receipt text is ASCII by convention whatever data_coding says (most SMSCs send 0x00);
 * decoding it as GSM would turn "_" into "§" inside message ids. Only a UCS-2 receipt is
 * decoded as such.
 */
function receiptText(octets: Buffer, dataCoding: number): string {
  return alphabetOf(dataCoding) === 'ucs2' ? decodeUcs2(octets) : octets.toString('latin1');
}
