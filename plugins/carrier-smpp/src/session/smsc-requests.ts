/// <reference types="@maskline/smpp-types" preserve="true" />
import type { Logger } from '@maskline/core';
import type { PDU, Session } from 'smpp';
import type { DeliverHandler } from '../internal-types.js';
import { sendCorked } from './socket-io.js';

const ESME_RINVCMDID = 0x03;
const ESME_RINVBNDSTS = 0x04;
const ESME_RX_T_APPN = 0x64;
/** Commands that have no response PDU: never answer them. */
const NO_RESPONSE = new Set(['alert_notification', 'outbind']);

export interface SmscRequestContext {
  logger: Logger;
  onDeliver: DeliverHandler;
  /** False while not bound: deliver_sm is refused with ESME_RINVBNDSTS. */
  canDeliver(): boolean;
  /** The SMSC unbinds: the bind stops counting as bound before the socket closes. */
  onUnbind(): void;
}

/**
 * Answer a request the SMSC sent us. The smpp package answers nothing by itself: without
 * this an SMSC's enquire_link goes unanswered and it drops the link.
 */
export function answerSmscRequest(session: Session, pdu: PDU, ctx: SmscRequestContext): void {
  switch (pdu.command) {
    case 'enquire_link':
      sendCorked(session, pdu.response());
      return;
    case 'unbind':
      // The SMSC is leaving: answer, then disconnect ('close' reconnects unless we are closing).
      ctx.logger.info({}, 'SMPP unbind from the SMSC');
      sendCorked(session, pdu.response());
      session.close();
      ctx.onUnbind();
      return;
    case 'deliver_sm':
      if (!ctx.canDeliver()) {
        sendCorked(session, pdu.response({ command_status: ESME_RINVBNDSTS }));
        return;
      }
      void deliver(session, pdu, ctx);
      return;
    default:
      if (NO_RESPONSE.has(pdu.command)) return;
      try {
        // An unknown command id gets generic_nack; a known one its _resp, both ESME_RINVCMDID.
        sendCorked(session, pdu.response({ command_status: ESME_RINVCMDID }));
      } catch {
        // A command the package cannot build a response for: nothing sensible to send.
      }
  }
}

/**
 * deliver_sm_resp goes out only once the handler (the host's publish) has settled: that
 * order is what keeps a receipt from being lost. It is corked with whatever else this tick
 * writes (the other answers whose publish settled in the same tick, submits), so N receipts
 * made durable together are acknowledged in one write, not N.
 */
async function deliver(session: Session, pdu: PDU, ctx: SmscRequestContext): Promise<void> {
  let status: number;
  try {
    status = await ctx.onDeliver(pdu);
  } catch (error) {
    ctx.logger.warn({ err: error instanceof Error ? error.message : 'unknown' }, 'deliver_sm handler failed');
    status = ESME_RX_T_APPN;
  }
  // If the link dropped meanwhile this sends nothing; the SMSC redelivers on the next bind.
  sendCorked(session, status === 0 ? pdu.response() : pdu.response({ command_status: status }));
}
