/// <reference types="@maskline/smpp-types" preserve="true" />
import { type Logger, MasklineError } from '@maskline/core';
import smpp, { type PDU, type Session } from 'smpp';
import type { BindState, DeliverHandler } from '../internal-types.js';
import {
  type SubmitStatusTable,
  smppCarrierAnswer,
  statusHex,
  statusLabel,
  statusName,
} from '../submit-status.js';
import type { SmppConfig } from '../types.js';
import { AdaptiveThrottle } from './adaptive-throttle.js';
import { type LinkFailure, socketFailure } from './link-failure.js';
import { backoffDelay, LinkMonitor } from './link-monitor.js';
import { openSession } from './open-session.js';
import { attachPduReader, type ProtocolFault } from './pdu-reader.js';
import { PendingRequests } from './pending-requests.js';
import { RequestWindow } from './request-window.js';
import { answerSmscRequest } from './smsc-requests.js';
import { abortableSleep, endSession, sendCorked, untilAborted } from './socket-io.js';

/** What one connection binds as (a transmitter-receiver slot is two SmppBinds). */
export type SmppBindRole = 'transceiver' | 'transmitter' | 'receiver';

export interface SmppBindOptions {
  config: SmppConfig;
  /** The bind password (the plugin's `password` secret). */
  password: string;
  index: number;
  logger: Logger;
  onDeliver: DeliverHandler;
  /** Default 'transceiver'. */
  role?: SmppBindRole;
  /** Which submit_sm_resp statuses mean "slow down" (ESME_RTHROTTLED, ESME_RMSGQFUL unless overridden). */
  statusTable: SubmitStatusTable;
  /** Called on every throttling answer (for the carrier's throttling metric). */
  onThrottled?: () => void;
}

const unavailable = (message: string) => () => new MasklineError('carrier_unavailable', { message });

/**
 * One bind (transceiver, transmitter or receiver): a TCP connection to the SMSC, re-established with backoff for as
 * long as the bind is open. Covers what the smpp package (a codec + socket) leaves out:
 * send window, response deadlines, enquire_link liveness, answering the SMSC's
 * enquire_link/unbind, TCP_NODELAY, and surviving undecodable bytes.
 */
export class SmppBind {
  readonly window: RequestWindow;
  readonly role: SmppBindRole;
  readonly throttle: AdaptiveThrottle;
  readonly #config: SmppConfig;
  readonly #password: string;
  readonly #logger: Logger;
  readonly #onDeliver: DeliverHandler;
  readonly #statusTable: SubmitStatusTable;
  readonly #onThrottled: () => void;
  #state: BindState = 'idle';
  #session: Session | null = null;
  #pending = new PendingRequests();
  #monitor: LinkMonitor | null = null;
  #attempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #lastError: MasklineError | undefined;
  /** Why the bind is not bound (client-safe); cleared once it binds. */
  #failure: LinkFailure | undefined;
  #firstResult: { resolve(): void; reject(error: Error): void } | null = null;
  #closing: Promise<void> | null = null;

  constructor(options: SmppBindOptions) {
    this.#config = options.config;
    this.#password = options.password;
    this.#logger = options.logger.child({ bind: options.index });
    this.#onDeliver = options.onDeliver;
    this.#statusTable = options.statusTable;
    this.#onThrottled = options.onThrottled ?? (() => {});
    this.role = options.role ?? 'transceiver';
    const { windowSize, maxQueuedSubmits, throttlePauseMinMs, throttlePauseMaxMs, throttleRecoveryMs } =
      options.config;
    this.window = new RequestWindow(windowSize, maxQueuedSubmits);
    this.throttle = new AdaptiveThrottle(
      windowSize,
      throttlePauseMinMs,
      throttlePauseMaxMs,
      throttleRecoveryMs,
    );
  }

  /** This bind may send submit_sm (a receiver bind may not). */
  get canTransmit(): boolean {
    return this.role !== 'receiver';
  }

  get state(): BindState {
    return this.#state;
  }

  get isBound(): boolean {
    return this.#state === 'bound';
  }

  /** Why this bind is down, in client-safe words; undefined while bound (or before a first try). */
  get failure(): LinkFailure | undefined {
    return this.isBound ? undefined : this.#failure;
  }

  /** Bound, and a submit would go out now rather than wait for a window slot. */
  get hasFreeSlot(): boolean {
    return this.isBound && this.canTransmit && this.window.hasFreeSlot && this.throttle.delayMs() === 0;
  }

  /** Connect and bind; resolves on the first successful bind, rejects if the first attempt fails. */
  start(): Promise<void> {
    if (this.#state !== 'idle') return Promise.reject(new Error('SmppBind.start() called twice'));
    const first = new Promise<void>((resolve, reject) => {
      this.#firstResult = { resolve, reject };
    });
    this.#connect();
    return first;
  }

  /**
   * Send a submit_sm through the window; resolves with submit_sm_resp or generic_nack.
   * A throttling answer (ESME_RTHROTTLED / ESME_RMSGQFUL, or a status the carrier's
   * overrides class as throttled) slows the bind down on the submit's first one
   * (AdaptiveThrottle: halve the effective window, pause); the same submit is sent again,
   * up to throttleRetries times, each resend waiting its own growing pause without
   * slowing the link further. After that the throttling answer is returned (the caller
   * maps it to carrier_throttled). Every other answer is returned as it is.
   */
  async submit(fields: Record<string, unknown>, signal?: AbortSignal): Promise<PDU> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.#submitOnce(fields, signal);
      const status = response.command_status;
      if (!this.#statusTable.isThrottling(status)) {
        if (status === 0) this.#accepted();
        return response;
      }
      this.#onThrottled();
      const pauseMs = attempt === 0 ? this.throttle.throttled() : this.throttle.throttledAgain(attempt);
      this.window.setLimit(this.throttle.window);
      const log = { status: statusLabel(status), window: this.throttle.window, pauseMs, attempt };
      if (attempt === 0) this.#logger.warn(log, 'SMPP throttled; slowing down');
      else this.#logger.debug(log, 'SMPP throttled again; resending later');
      if (attempt >= this.#config.throttleRetries) return response;
      // The first resend waits out the bind's pause (delayMs, in #submitOnce); later ones
      // wait on their own here, holding no window slot, while other submits go on.
      if (attempt > 0) await abortableSleep(pauseMs, signal);
    }
  }

  #accepted(): void {
    this.throttle.accepted();
    this.window.setLimit(this.throttle.window);
  }

  async #submitOnce(fields: Record<string, unknown>, signal?: AbortSignal): Promise<PDU> {
    if (!this.isBound) throw unavailable('The SMPP bind is not bound.')();
    if (!this.canTransmit) throw unavailable('A receiver bind cannot submit.')();
    this.window.setLimit(this.throttle.window); // the window also recovers with time
    await this.window.acquire(signal);
    let response: Promise<PDU>;
    try {
      const pause = this.throttle.delayMs();
      if (pause > 0) await abortableSleep(pause, signal);
      if (!this.isBound) throw unavailable('The SMPP link went down.')();
      response = this.#request(new smpp.PDU('submit_sm', fields), this.#config.requestTimeoutMs);
    } catch (error) {
      this.window.release();
      throw error;
    }
    // The slot stays taken until the SMSC answers (or the deadline passes), even when the
    // host aborts: the submit_sm is already on the wire and still counts against the window.
    const release = () => this.window.release();
    response.then(release, release);
    return signal ? untilAborted(response, signal) : response;
  }

  /**
   * Graceful: refuse new submits, drain the window (bounded), unbind (bounded), disconnect.
   * `withinMs` bounds the whole close (a lost bind slot must be let go in time): each step
   * gets a third of it, and the socket is destroyed when it runs out.
   */
  close(withinMs?: number): Promise<void> {
    this.#closing ??= this.#close(withinMs);
    if (withinMs !== undefined) {
      const session = this.#session;
      setTimeout(() => session?.destroy(), withinMs).unref();
    }
    return this.#closing;
  }

  async #close(withinMs?: number): Promise<void> {
    const step = withinMs === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(withinMs / 3));
    const closeTimeoutMs = Math.min(this.#config.closeTimeoutMs, step);
    const requestTimeoutMs = Math.min(this.#config.requestTimeoutMs, step);
    const wasBound = this.#state === 'bound';
    this.#state = 'closing';
    clearTimeout(this.#reconnectTimer);
    this.#monitor?.stop();
    this.window.failWaiters(unavailable('The SMPP bind is closing.'));
    this.#settleFirst(unavailable('The SMPP bind was closed before it bound.')());
    const session = this.#session;
    if (session && wasBound) {
      await this.window.drained(closeTimeoutMs);
      try {
        await this.#request(new smpp.PDU('unbind'), Math.max(1, Math.min(requestTimeoutMs, closeTimeoutMs)));
      } catch {
        // No unbind_resp in time: disconnect anyway.
      }
    }
    if (session) await endSession(session, closeTimeoutMs);
    this.#state = 'closed';
  }

  #connect(): void {
    this.#state = 'connecting';
    this.#lastError = undefined;
    const { connectTimeoutMs } = this.#config;
    const { session, readyEvent } = openSession(this.#config);
    const pending = new PendingRequests();
    this.#session = session;
    this.#pending = pending;
    const connectTimer = setTimeout(() => {
      this.#lastError = unavailable(`SMPP connect timed out after ${connectTimeoutMs} ms.`)();
      this.#failure = 'connect timed out';
      session.destroy();
    }, connectTimeoutMs);
    // Always listen: the package emits 'error' for socket errors and for undecodable bytes
    // (after which it stops reading). Either way the connection is finished: drop it.
    session.on('error', (error: Error) => {
      this.#logger.warn({ err: error.message }, 'SMPP connection error');
      this.#lastError = unavailable(`SMPP connection error: ${error.message}`)();
      this.#failure = socketFailure(error);
      session.destroy();
    });
    session.on(readyEvent, () => {
      clearTimeout(connectTimer);
      if (this.#closing) return; // close() is already ending this socket
      // The package never sets TCP_NODELAY; without it delayed ACKs cap a bind at ~300 msg/s.
      session.socket.setNoDelay(true);
      void this.#bind(session, pending);
    });
    attachPduReader(session, {
      maxPduOctets: this.#config.maxPduOctets,
      readTimeoutMs: this.#config.pduReadTimeoutMs,
      onPdu: (pdu) => this.#onPdu(session, pending, pdu),
      onFault: (fault) => this.#onProtocolFault(session, fault),
    });
    session.on('close', () => {
      clearTimeout(connectTimer);
      this.#onClose(session, pending);
    });
  }

  async #bind(session: Session, pending: PendingRequests): Promise<void> {
    this.#state = 'binding';
    const { systemId, systemType, requestTimeoutMs } = this.#config;
    const password = this.#password;
    const command = `bind_${this.role}`;
    const pdu = new smpp.PDU(command, {
      system_id: systemId,
      password,
      system_type: systemType,
      interface_version: 0x34,
    });
    try {
      if (!session.send(pdu)) return; // socket already gone: 'close' follows
      // Handled the moment bind_resp is decoded, not in a promise continuation: an SMSC
      // often flushes stored receipts and MO right behind its bind_resp, in the same TCP
      // read, and those deliver_sm must find the bind already bound.
      await pending.track(pdu.sequence_number, command, requestTimeoutMs, (response) =>
        this.#onBindResponse(session, command, response),
      );
    } catch (error) {
      if (session !== this.#session || this.#state !== 'binding') return;
      this.#lastError = error instanceof MasklineError ? error : unavailable('SMPP bind failed.')();
      this.#failure = this.#lastError.code === 'carrier_timeout' ? 'no bind response' : 'bind failed';
      this.#logger.warn({ err: this.#lastError.message }, 'SMPP bind failed');
      session.destroy();
    }
  }

  #onBindResponse(session: Session, command: string, response: PDU): void {
    if (session !== this.#session || this.#state !== 'binding') return;
    if (response.command_status !== 0 || response.command !== `${command}_resp`) {
      const label = statusLabel(response.command_status);
      this.#lastError = new MasklineError('carrier_unavailable', {
        message: `SMPP ${command} refused: ${response.command} ${label}`,
        details: {
          smppCommandStatus: response.command_status,
          smppCommandStatusName: statusName(response.command_status) ?? 'unknown',
          ...smppCarrierAnswer(response.command_status),
        },
      });
      this.#failure = `bind refused (${statusName(response.command_status) ?? statusHex(response.command_status)})`;
      this.#logger.warn({ command, status: label }, 'SMPP bind refused');
      session.destroy();
      return;
    }
    this.#state = 'bound';
    this.#attempt = 0;
    this.#lastError = undefined;
    this.#failure = undefined;
    this.#logger.info({ role: this.role }, 'SMPP bound');
    this.#monitor = new LinkMonitor(
      this.#config.enquireLinkIntervalMs,
      () => this.#request(new smpp.PDU('enquire_link'), this.#config.enquireLinkTimeoutMs),
      () => {
        this.#logger.warn({}, 'SMPP enquire_link unanswered; dropping the link');
        this.#failure = 'enquire_link unanswered';
        session.destroy();
      },
    );
    this.#monitor.start();
    this.#settleFirst();
  }

  #request(pdu: PDU, timeoutMs: number): Promise<PDU> {
    const session = this.#session;
    if (!session || !sendCorked(session, pdu)) return Promise.reject(unavailable('The SMPP link is down.')());
    return this.#pending.track(pdu.sequence_number, pdu.command, timeoutMs);
  }

  #onPdu(session: Session, pending: PendingRequests, pdu: PDU): void {
    if (pdu.isResponse()) {
      if (!pending.settle(pdu)) this.#logger.debug({ command: pdu.command }, 'SMPP response matched nothing');
      return;
    }
    answerSmscRequest(session, pdu, {
      logger: this.#logger,
      onDeliver: this.#onDeliver,
      canDeliver: () => this.#state === 'bound' || this.#state === 'closing',
      onUnbind: () => {
        if (this.#state === 'bound') this.#state = 'waiting';
        this.#failure = 'unbound by the SMSC';
        // We answered and sent FIN; if the SMSC never closes its side, 'close' never comes.
        setTimeout(() => session.destroy(), this.#config.closeTimeoutMs).unref();
      },
    });
  }

  #onProtocolFault(session: Session, fault: ProtocolFault): void {
    const { kind, fatal, commandId, commandLength, sequence } = fault;
    const hex = commandId === undefined ? undefined : `0x${commandId.toString(16).padStart(8, '0')}`;
    this.#logger.warn(
      { fault: kind, commandId: hex, commandLength, sequence, reset: fatal },
      fatal ? 'Malformed SMPP input; resetting the link' : 'Malformed SMPP PDU skipped',
    );
    if (!fatal || session !== this.#session) return;
    this.#lastError = unavailable(`SMPP protocol error (${kind}); link reset.`)();
    this.#failure = 'protocol error';
    session.destroy();
  }

  #onClose(session: Session, pending: PendingRequests): void {
    if (session !== this.#session) return;
    this.#session = null;
    this.#monitor?.stop();
    this.#monitor = null;
    const wasBound = this.#state === 'bound' || this.#state === 'waiting';
    this.#failure ??= 'link closed';
    // Already on the wire: the SMSC may have taken them. inFlight marks the failure as
    // ambiguous, so the host retries on this carrier and never fails over to another.
    pending.failAll(
      () =>
        new MasklineError('carrier_unavailable', {
          message: 'The SMPP link went down before the SMSC answered.',
          details: { inFlight: true },
        }),
    );
    this.window.failWaiters(unavailable('The SMPP link went down.'));
    if (this.#closing) return;
    this.#settleFirst(this.#lastError ?? unavailable('The SMPP link closed before the bind completed.')());
    const delay = backoffDelay(this.#attempt++, this.#config.reconnectMinMs, this.#config.reconnectMaxMs);
    this.#logger.warn({ wasBound, delayMs: delay }, 'SMPP link closed; reconnecting');
    this.#state = 'waiting';
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
    this.#reconnectTimer.unref();
  }

  #settleFirst(error?: Error): void {
    const first = this.#firstResult;
    if (!first) return;
    this.#firstResult = null;
    if (error) first.reject(error);
    else first.resolve();
  }
}
