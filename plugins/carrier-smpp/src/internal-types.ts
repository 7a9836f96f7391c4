/// <reference types="@maskline/smpp-types" preserve="true" />
import type { ErrorCode, InboundEvent, ReceiptEvent, ReceiptOutcome } from '@maskline/core';
import type { PDU } from 'smpp';

/** Types shared between the plugin's modules; not part of its public API. */

/** Where one bind is in its life. 'waiting' = link down, a reconnect is scheduled. */
export type BindState = 'idle' | 'connecting' | 'binding' | 'bound' | 'waiting' | 'closing' | 'closed';

/** Answers a deliver_sm: resolves to the command_status to send back (0 = ESME_ROK). */
export type DeliverHandler = (pdu: PDU) => Promise<number>;

/** An SMPP address: source_addr / destination_addr with its TON and NPI. */
export interface SmppAddress {
  addr: string;
  ton: number;
  npi: number;
}

export type SmppTextEncoding = 'gsm7' | 'ucs2';

/** A body encoded for the wire, with the segment count a handset would see. */
export interface EncodedText {
  encoding: SmppTextEncoding;
  dataCoding: number;
  bytes: Buffer;
  segments: number;
  /** The text encoded: parts are cut from it by @maskline/core's splitSegments. */
  text: string;
}

/** The body fields of one submit_sm: a whole message, or one part of a concatenated one. */
export interface MessagePart {
  esm_class: number;
  data_coding: number;
  short_message: Buffer;
  message_payload?: Buffer;
  sar_msg_ref_num?: number;
  sar_total_segments?: number;
  sar_segment_seqnum?: number;
}

/** What the command_status of a failed submit means for Maskline. */
export interface StatusRule {
  code: ErrorCode;
  retryAfterMs?: number;
}

/** Fields of the receipt text form (SMPP 3.4 appendix B), as written. */
export interface ReceiptTextFields {
  id?: string;
  sub?: string;
  dlvrd?: string;
  submitDate?: string;
  doneDate?: string;
  stat?: string;
  err?: string;
  text?: string;
}

/** Receipt TLVs of a deliver_sm; they win over the text. */
export interface ReceiptTlvs {
  receiptedMessageId?: string;
  messageState?: number;
  /** The 3-octet network_error_code TLV: network type, then a 2-octet error code. */
  networkErrorCode?: Buffer;
}

export interface ParsedReceipt {
  carrierMessageId: string;
  outcome: ReceiptOutcome;
  carrierStatus: string;
  networkErrorCode?: string;
  doneAt?: string;
}

/** Why a deliver_sm is acknowledged without publishing anything. */
export type IgnoredReason = 'receipt_without_id' | 'sme_acknowledgement' | 'unreadable';

/** What a deliver_sm is: a receipt, an MO message, or something acknowledged and dropped. */
export type DeliverSmDecision =
  | { kind: 'receipt'; event: ReceiptEvent }
  | { kind: 'inbound'; event: InboundEvent; part?: MoPart }
  | { kind: 'ignored'; reason: IgnoredReason };

/** One part of a multipart MO message, to be held until every part is there. */
export interface MoPart {
  /** Identifies the message: scheme, reference, part count, sender and recipient. */
  key: string;
  total: number;
  /** 1-based. */
  seq: number;
  /** The part's body octets, UDH removed. */
  octets: Buffer;
  dataCoding: number;
}
