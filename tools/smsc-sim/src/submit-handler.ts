/// <reference types="@maskline/smpp-types" preserve="true" />
import type { PDU } from 'smpp';
import { ESME_RINVDSTADR, ESME_RMSGQFUL, ESME_RTHROTTLED } from './command-status.js';
import { type Address, receiptFields } from './deliver-pdus.js';
import type { Deliveries } from './deliveries.js';
import type { Faults } from './faults.js';
import type { SubmitJournal } from './journal.js';
import type { ReceiptPolicy } from './receipt-rules.js';
import type { RecordedMessage, RecordedMessages } from './recorded-messages.js';
import type { SmscSession } from './smsc-session.js';
import type { Counters } from './stats.js';
import { concatenationPart, decodeBody } from './text-codec.js';
import type { Timers } from './timers.js';

export interface SubmitContext {
  submitRespDelayMs: number;
  /** Receipts for concatenated parts: one for every part, or only for the last one. */
  receiptParts: 'each' | 'last';
  receiptDelayMs: number;
  faults: Faults;
  recorded: RecordedMessages;
  journal: SubmitJournal;
  counters: Counters;
  timers: Timers;
  deliveries: Deliveries;
  nextMessageId(): string;
  /** The receipt rules in force. */
  policy(): ReceiptPolicy;
}

/**
 * submit_sm on a bound transmitting session: apply the faults, record the message, answer
 * with a fresh message_id after submitRespDelayMs, and when a receipt was requested send it
 * receiptDelayMs after the response (registered_delivery bit 0: always; value 2: only when
 * the outcome is a failure). The receipt follows even when the response could not be
 * written (the connection dropped): the SMSC accepted the message.
 */
export function handleSubmit(ctx: SubmitContext, session: SmscSession, pdu: PDU): void {
  const { counters } = ctx;
  counters.submits += 1;
  const action = ctx.faults.next();
  if (action.kind === 'disconnect') {
    counters.disconnects += 1;
    session.destroy();
    return;
  }
  if (action.kind === 'drop') {
    counters.responsesDropped += 1;
    return;
  }
  if (action.kind === 'status') {
    answerError(ctx, session, pdu, action.status);
    return;
  }

  const submittedAt = new Date();
  const message = readSubmit(pdu, session.systemId ?? '', ctx.nextMessageId(), submittedAt);
  if (message.destination === '') {
    answerError(ctx, session, pdu, ESME_RINVDSTADR);
    return;
  }
  ctx.recorded.add(message);
  ctx.journal.submitted(message);
  counters.submitsAccepted += 1;
  const outcome = ctx.policy()(message);
  const requested = message.registeredDelivery & 0x03;
  const lastOnly = ctx.receiptParts === 'last' && message.part && message.part.seq !== message.part.total;
  const wantsReceipt =
    !lastOnly && ((requested & 0x01) === 1 || (requested === 2 && outcome.stat !== 'DELIVRD'));

  const sendReceipt = () => {
    const fields = receiptFields({
      messageId: message.messageId,
      submitSource: address(message.source, message.sourceTon, message.sourceNpi),
      submitDestination: address(message.destination, message.destinationTon, message.destinationNpi),
      outcome,
      submittedAt,
      doneAt: new Date(),
    });
    ctx.deliveries.receipt(message.systemId, fields, session);
  };
  if (wantsReceipt && ctx.faults.receiptFirst()) {
    sendReceipt();
    ctx.timers.after(ctx.submitRespDelayMs, () => session.respond(pdu, { message_id: message.messageId }));
    return;
  }
  ctx.timers.after(ctx.submitRespDelayMs, () => {
    session.respond(pdu, { message_id: message.messageId });
    if (wantsReceipt) ctx.timers.after(ctx.receiptDelayMs, sendReceipt);
  });
}

/** What the client submitted, decoded. */
function readSubmit(pdu: PDU, systemId: string, messageId: string, at: Date): RecordedMessage {
  const dataCoding = num(pdu.data_coding);
  const viaPayload = pdu.message_payload !== undefined;
  const body = decodeBody(viaPayload ? pdu.message_payload : pdu.short_message, dataCoding);
  const part = concatenationPart(body.udh) ?? sarPart(pdu);
  return {
    messageId,
    systemId,
    source: str(pdu.source_addr),
    sourceTon: num(pdu.source_addr_ton),
    sourceNpi: num(pdu.source_addr_npi),
    destination: str(pdu.destination_addr),
    destinationTon: num(pdu.dest_addr_ton),
    destinationNpi: num(pdu.dest_addr_npi),
    text: body.text,
    bodyHex: body.octets.toString('hex'),
    dataCoding,
    esmClass: num(pdu.esm_class),
    registeredDelivery: num(pdu.registered_delivery),
    viaPayload,
    ...(part ? { part } : {}),
    receivedAt: at.toISOString(),
  };
}

function sarPart(pdu: PDU): RecordedMessage['part'] {
  if (typeof pdu.sar_msg_ref_num !== 'number') return undefined;
  return {
    scheme: 'sar',
    ref: pdu.sar_msg_ref_num,
    total: num(pdu.sar_total_segments),
    seq: num(pdu.sar_segment_seqnum),
  };
}

function answerError(ctx: SubmitContext, session: SmscSession, pdu: PDU, status: number): void {
  if (status === ESME_RTHROTTLED) ctx.counters.throttled += 1;
  else if (status === ESME_RMSGQFUL) ctx.counters.queueFull += 1;
  else ctx.counters.rejected += 1;
  ctx.timers.after(ctx.submitRespDelayMs, () => session.respond(pdu, { command_status: status }));
}

function address(addr: string, ton: number, npi: number): Address {
  return { addr, ton, npi };
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
