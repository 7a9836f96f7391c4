/// <reference types="@maskline/smpp-types" preserve="true" />
import type { Logger } from '@maskline/core';
import smpp, { type PDU, type Session } from 'smpp';
import {
  ESME_RALYBND,
  ESME_RBINDFAIL,
  ESME_RINVBNDSTS,
  ESME_RINVCMDID,
  ESME_RINVPASWD,
  ESME_RINVSYSID,
  ESME_ROK,
} from './command-status.js';
import type { Counters } from './stats.js';

export type BindMode = 'transceiver' | 'transmitter' | 'receiver';

const BIND_MODES: Readonly<Record<string, BindMode>> = {
  bind_transceiver: 'transceiver',
  bind_transmitter: 'transmitter',
  bind_receiver: 'receiver',
};

/** What a session needs from the simulator. */
export interface SessionContext {
  readonly credentials: { readonly systemId?: string | undefined; readonly password?: string | undefined };
  /** Binds one system_id may hold at once (undefined: no limit). */
  readonly maxBinds?: number | undefined;
  /** Binds `systemId` holds now. */
  bindsOf(systemId: string): number;
  readonly counters: Counters;
  readonly logger: Logger;
  bound(session: SmscSession): void;
  submit(session: SmscSession, pdu: PDU): void;
  closed(session: SmscSession): void;
  internalError(error: unknown): void;
}

/** How long a peer may linger after we end the connection before it is destroyed. */
const END_GRACE_MS = 500;

/**
 * One ESME connection: bind state and the commands a session answers itself (bind_*,
 * enquire_link, unbind, generic_nack for everything it does not implement). submit_sm on a
 * bound transmitting session goes to the context. Nothing a peer sends can throw out of
 * here: every handler is guarded.
 */
export class SmscSession {
  systemId: string | null = null;
  mode: BindMode | null = null;
  private ended = false;
  private readonly closed: Promise<void>;

  constructor(
    readonly id: number,
    private readonly session: Session,
    private readonly context: SessionContext,
  ) {
    // The smpp package never sets TCP_NODELAY: small PDUs (receipts) would wait ~40 ms for delayed ACKs.
    session.socket.setNoDelay(true);
    session.on('error', (error: Error) => this.failed(error));
    this.closed = new Promise((resolve) => {
      session.once('close', () => {
        this.ended = true;
        this.guard(() => context.closed(this));
        resolve();
      });
    });
    session.on('pdu', (pdu: PDU) => this.guard(() => this.dispatch(pdu)));
  }

  get canReceive(): boolean {
    return (this.mode === 'transceiver' || this.mode === 'receiver') && this.open;
  }

  get canTransmit(): boolean {
    return (this.mode === 'transceiver' || this.mode === 'transmitter') && this.open;
  }

  private get open(): boolean {
    return !this.ended && this.session.socket.writable;
  }

  /** Send a request; onResponse gets its response (or a generic_nack). False if not sent. */
  request(pdu: PDU, onResponse: (response: PDU) => void): boolean {
    this.corkUntilImmediate();
    return this.session.send(pdu, (response) => this.guard(() => onResponse(response)));
  }

  respond(pdu: PDU, fields: Record<string, unknown> = {}): void {
    this.corkUntilImmediate();
    this.session.send(pdu.response({ ...fields }));
  }

  /** Write bytes as they are (malformed-output injection). False when the socket is gone. */
  writeRaw(bytes: Buffer): boolean {
    if (!this.open) return false;
    this.session.socket.write(bytes);
    return true;
  }

  get isBound(): boolean {
    return this.mode !== null && this.open;
  }

  /** Drop the connection at once (faults, undecodable bytes). */
  destroy(): void {
    this.session.destroy();
  }

  /** Close politely: unbind when bound, end the socket; destroyed if the peer lingers. */
  close(): Promise<void> {
    if (!this.ended) {
      if (this.mode !== null) {
        this.mode = null;
        this.session.send(new smpp.PDU('unbind', {}));
      }
      this.end();
    }
    return this.closed;
  }

  private dispatch(pdu: PDU): void {
    if (pdu.isResponse()) return; // answers to our requests reach their callbacks
    const bindMode = BIND_MODES[pdu.command];
    if (bindMode) {
      this.bind(pdu, bindMode);
    } else if (pdu.command === 'enquire_link') {
      this.respond(pdu);
    } else if (pdu.command === 'unbind') {
      this.mode = null; // nothing more is routed here
      this.respond(pdu);
      this.end();
    } else if (pdu.command === 'submit_sm') {
      if (this.canTransmit) this.context.submit(this, pdu);
      else this.respond(pdu, { command_status: ESME_RINVBNDSTS });
    } else {
      // Unknown command ids and commands this SMSC does not implement (query_sm, data_sm, ...).
      this.context.counters.genericNacks += 1;
      this.session.send(
        new smpp.PDU('generic_nack', {
          sequence_number: pdu.sequence_number,
          command_status: ESME_RINVCMDID,
        }),
      );
    }
  }

  private bind(pdu: PDU, mode: BindMode): void {
    const { systemId, password } = this.context.credentials;
    let status = ESME_ROK;
    if (this.mode !== null) status = ESME_RALYBND;
    else if (systemId !== undefined && pdu.system_id !== systemId) status = ESME_RINVSYSID;
    else if (password !== undefined && pdu.password !== password) status = ESME_RINVPASWD;
    else if (this.overLimit(pdu)) status = ESME_RBINDFAIL;
    if (status !== ESME_ROK) {
      this.context.counters.bindsRefused += 1;
      this.context.logger.info(
        { session: this.id, command: pdu.command, commandStatus: status },
        'bind refused',
      );
      this.respond(pdu, { command_status: status });
      return;
    }
    this.mode = mode;
    this.systemId = typeof pdu.system_id === 'string' ? pdu.system_id : '';
    this.respond(pdu, { system_id: 'SMSCSIM', sc_interface_version: 0x34 });
    this.context.logger.info({ session: this.id, mode, systemId: this.systemId }, 'bound');
    this.context.bound(this);
  }

  private overLimit(pdu: PDU): boolean {
    const max = this.context.maxBinds;
    if (max === undefined) return false;
    const systemId = typeof pdu.system_id === 'string' ? pdu.system_id : '';
    if (this.context.bindsOf(systemId) < max) return false;
    this.context.counters.bindsOverLimit += 1;
    return true;
  }

  /** PDUs written in this turn of the event loop go out in one write (one syscall), not one each. */
  private corkUntilImmediate(): void {
    const socket = this.session.socket;
    if (socket.writableCorked > 0) return;
    socket.cork();
    setImmediate(() => socket.uncork());
  }

  private end(): void {
    this.session.socket.end();
    setTimeout(() => this.session.destroy(), END_GRACE_MS).unref();
  }

  private failed(error: Error): void {
    // Socket errors (ECONNRESET, EPIPE) carry a syscall; anything else is the smpp package
    // failing to decode what the peer sent, after which it never reads this socket again.
    if (!('syscall' in error)) {
      this.context.counters.protocolErrors += 1;
      this.context.logger.warn(
        { session: this.id, err: error.message },
        'undecodable bytes, connection dropped',
      );
    }
    this.session.destroy();
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.context.internalError(error);
    }
  }
}
