/// <reference types="@maskline/smpp-types" preserve="true" />
import type { Logger } from '@maskline/core';
import smpp, { type PDU } from 'smpp';
import { ESME_ROK } from './command-status.js';
import type { SubmitJournal } from './journal.js';
import type { SmscSession } from './smsc-session.js';
import type { Counters } from './stats.js';
import type { Timers } from './timers.js';

/** Why injectMo failed. */
export type SmscSimErrorCode = 'no_receiver' | 'timeout' | 'session_closed' | 'closed' | 'unknown_message';

export class SmscSimError extends Error {
  constructor(
    readonly code: SmscSimErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SmscSimError';
  }
}

export interface ReceiverDirectory {
  receiverFor(systemId: string | null, preferred?: SmscSession): SmscSession | null;
}

export interface DeliveryConfig {
  retryMs: number;
  maxAttempts: number;
  pendingLimit: number;
  moTimeoutMs: number;
}

interface Receipt {
  systemId: string;
  fields: Record<string, unknown>;
  attempts: number;
}

interface MoWaiter {
  settle(result: number | SmscSimError): void;
}

/**
 * deliver_sm traffic to the client. Receipts go to the submitting session when it can
 * receive, else to another receiving bind of the same system_id; with none bound they wait
 * (bounded) for the next receiving bind. A receipt answered with an error is redelivered
 * after retryMs, up to maxAttempts. Receipts in flight on a session that closes are routed
 * again. MO messages resolve with the command_status of their deliver_sm_resp.
 */
export class Deliveries {
  private readonly pending = new Map<string, Receipt[]>();
  private pendingCount = 0;
  private readonly inFlight = new Map<SmscSession, Map<number, Receipt | MoWaiter>>();

  constructor(
    private readonly directory: ReceiverDirectory,
    private readonly config: DeliveryConfig,
    private readonly counters: Counters,
    private readonly timers: Timers,
    private readonly logger: Logger,
    private readonly journal?: SubmitJournal,
  ) {}

  receipt(systemId: string, fields: Record<string, unknown>, preferred?: SmscSession): void {
    this.route({ systemId, fields, attempts: 0 }, preferred);
  }

  mo(fields: Record<string, unknown>, systemId?: string): Promise<number> {
    const target = this.directory.receiverFor(systemId ?? null);
    if (!target) {
      const which = systemId === undefined ? '' : ` for system_id ${systemId}`;
      return Promise.reject(new SmscSimError('no_receiver', `no receiving SMPP session is bound${which}`));
    }
    return new Promise<number>((resolve, reject) => {
      const pdu = new smpp.PDU('deliver_sm', fields);
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const waiter: MoWaiter = {
        settle: (result) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.forget(target, pdu.sequence_number);
          if (typeof result === 'number') resolve(result);
          else reject(result);
        },
      };
      const sent = target.request(pdu, (response) => {
        if (response.command_status === ESME_ROK) this.counters.moAcknowledged += 1;
        waiter.settle(response.command_status);
      });
      if (!sent) return waiter.settle(new SmscSimError('session_closed', 'the receiving session closed'));
      this.counters.moSent += 1;
      this.track(target, pdu.sequence_number, waiter);
      timer = setTimeout(
        () => waiter.settle(new SmscSimError('timeout', 'no deliver_sm_resp in time')),
        this.config.moTimeoutMs,
      );
    });
  }

  /** A session bound to receive: hand it the receipts waiting for its system_id. */
  bound(session: SmscSession): void {
    if (!session.canReceive || session.systemId === null) return;
    const waiting = this.pending.get(session.systemId);
    if (!waiting) return;
    this.pending.delete(session.systemId);
    this.pendingCount -= waiting.length;
    for (const receipt of waiting) this.route(receipt, session);
  }

  /** A session closed: route its unanswered receipts again; its MO waiters fail. */
  closed(session: SmscSession): void {
    const flights = this.inFlight.get(session);
    if (!flights) return;
    this.inFlight.delete(session);
    for (const item of flights.values()) {
      if ('settle' in item) item.settle(new SmscSimError('session_closed', 'the receiving session closed'));
      else this.route(item);
    }
  }

  pendingReceipts(): number {
    return this.pendingCount;
  }

  /** Forget receipts waiting for a receiver. */
  reset(): void {
    this.pending.clear();
    this.pendingCount = 0;
  }

  /** Fail every MO still waiting (the simulator is closing). */
  close(): void {
    const flights = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const items of flights) {
      for (const item of items.values()) {
        if ('settle' in item) item.settle(new SmscSimError('closed', 'the simulator closed'));
      }
    }
    this.reset();
  }

  private route(receipt: Receipt, preferred?: SmscSession): void {
    const target = this.directory.receiverFor(receipt.systemId, preferred);
    const pdu = new smpp.PDU('deliver_sm', receipt.fields);
    const sent = target?.request(pdu, (response) =>
      this.answered(target, pdu.sequence_number, receipt, response),
    );
    if (!target || !sent) {
      this.park(receipt);
      return;
    }
    receipt.attempts += 1;
    this.counters.receiptsSent += 1;
    this.track(target, pdu.sequence_number, receipt);
  }

  private answered(session: SmscSession, sequence: number, receipt: Receipt, response: PDU): void {
    this.forget(session, sequence);
    if (response.command_status === ESME_ROK) {
      this.counters.receiptsAcknowledged += 1;
      this.journal?.receiptAcknowledged(String(receipt.fields.receipted_message_id ?? ''));
      return;
    }
    this.counters.receiptsRefused += 1;
    if (receipt.attempts >= this.config.maxAttempts) {
      this.counters.receiptsDiscarded += 1;
      this.logger.warn({ attempts: receipt.attempts }, 'receipt refused too often, discarded');
      return;
    }
    this.timers.after(this.config.retryMs, () => this.route(receipt));
  }

  private park(receipt: Receipt): void {
    if (this.pendingCount >= this.config.pendingLimit) {
      this.counters.receiptsDiscarded += 1;
      return;
    }
    const waiting = this.pending.get(receipt.systemId);
    if (waiting) waiting.push(receipt);
    else this.pending.set(receipt.systemId, [receipt]);
    this.pendingCount += 1;
  }

  private track(session: SmscSession, sequence: number, item: Receipt | MoWaiter): void {
    let flights = this.inFlight.get(session);
    if (!flights) {
      flights = new Map();
      this.inFlight.set(session, flights);
    }
    flights.set(sequence, item);
  }

  private forget(session: SmscSession, sequence: number): void {
    const flights = this.inFlight.get(session);
    if (!flights) return;
    flights.delete(sequence);
    if (flights.size === 0) this.inFlight.delete(session);
  }
}
