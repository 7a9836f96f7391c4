/// <reference types="@maskline/smpp-types" preserve="true" />
import { type Logger, silentLogger } from '@maskline/core';
import smpp, { type PDU, type Session } from 'smpp';
import type { Faults } from './faults.js';
import { MessageIds } from './message-ids.js';
import type { SimulatorOptions } from './options.js';
import { decideReceipt, type ReceiptRule, receiptText } from './receipt-rules.js';
import type { RecordedMessages } from './recorded-messages.js';
import { encodeText, messageText } from './text-codec.js';

type BindMode = 'transceiver' | 'transmitter' | 'receiver';

interface SessionState {
  session: Session;
  systemId: string | null;
  mode: BindMode | null;
  /** deliver_sm sent on this session and not yet answered, by sequence number. */
  unanswered: Map<number, PendingDeliver>;
}

interface PendingDeliver {
  systemId: string;
  fields: Record<string, unknown>;
  attempts: number;
  onAnswer?: (status: number) => void;
}

export interface SimulatorStats {
  binds: Record<BindMode, number>;
  submits: number;
  receiptsSent: number;
  receiptsAcknowledged: number;
  receiptsPending: number;
  moSent: number;
  responsesDropped: number;
  throttled: number;
  disconnects: number;
  protocolErrors: number;
}

const ESME = {
  ROK: 0x00,
  RINVCMDID: 0x03,
  RINVBNDSTS: 0x04,
  RALYBND: 0x05,
  RINVPASWD: 0x0e,
  RINVSYSID: 0x0f,
} as const;

const MAX_DELIVER_ATTEMPTS = 10;
const REDELIVER_AFTER_MS = 500;

/** The SMPP side of the simulator: binds, submits, receipts and MO delivery. */
export class SmscServer {
  readonly server: smpp.Server;
  private readonly sessions = new Set<SessionState>();
  private readonly pending = new Map<string, PendingDeliver[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly ids: MessageIds;
  private readonly counters = {
    submits: 0,
    receiptsSent: 0,
    receiptsAcknowledged: 0,
    moSent: 0,
    responsesDropped: 0,
    throttled: 0,
    disconnects: 0,
    protocolErrors: 0,
  };
  rules: ReceiptRule[] = [];

  constructor(
    private readonly options: SimulatorOptions,
    private readonly faults: Faults,
    private readonly recorded: RecordedMessages,
    private readonly logger: Logger = silentLogger,
  ) {
    this.ids = new MessageIds(options.messageIdFormat);
    this.server = smpp.createServer((session) => this.accept(session));
    this.server.on('error', (error) => this.logger.warn({ err: error }, 'smsc server error'));
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.smppPort, this.options.host, () => {
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : this.options.smppPort);
      });
    });
  }

  stats(): SimulatorStats {
    const binds: Record<BindMode, number> = { transceiver: 0, transmitter: 0, receiver: 0 };
    for (const s of this.sessions) if (s.mode) binds[s.mode] += 1;
    let receiptsPending = 0;
    for (const list of this.pending.values()) receiptsPending += list.length;
    return { binds, ...this.counters, receiptsPending };
  }

  reset(): void {
    for (const key of Object.keys(this.counters) as (keyof typeof this.counters)[]) this.counters[key] = 0;
    this.pending.clear();
    this.rules = [];
  }

  private accept(session: Session): void {
    session.socket.setNoDelay(true);
    const state: SessionState = { session, systemId: null, mode: null, unanswered: new Map() };
    this.sessions.add(state);
    // The smpp package emits 'error' for non-SMPP bytes and then stops reading: drop the peer.
    session.on('error', () => {
      this.counters.protocolErrors += 1;
      session.destroy();
    });
    session.on('close', () => this.closed(state));
    for (const mode of ['transceiver', 'transmitter', 'receiver'] as const) {
      session.on(`bind_${mode}`, (pdu: PDU) => this.bind(state, pdu, mode));
    }
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: PDU) => this.submit(state, pdu));
    // Anything else (query_sm, cancel_sm, data_sm, unknown ids): "invalid command id".
    const handled = new Set([
      'bind_transceiver',
      'bind_transmitter',
      'bind_receiver',
      'enquire_link',
      'unbind',
      'submit_sm',
    ]);
    session.on('pdu', (pdu: PDU) => {
      if (pdu.isResponse() || handled.has(pdu.command)) return;
      session.send(pdu.response({ command_status: ESME.RINVCMDID }));
    });
  }

  private bind(state: SessionState, pdu: PDU, mode: BindMode): void {
    const reply = (status: number) =>
      state.session.send(
        pdu.response({ command_status: status, ...(status ? {} : { system_id: 'SMSCSIM' }) }),
      );
    if (state.mode) return void reply(ESME.RALYBND);
    if (this.options.systemId !== undefined && pdu.system_id !== this.options.systemId)
      return void reply(ESME.RINVSYSID);
    if (this.options.password !== undefined && pdu.password !== this.options.password)
      return void reply(ESME.RINVPASWD);
    state.mode = mode;
    state.systemId = String(pdu.system_id ?? '');
    reply(ESME.ROK);
    if (mode !== 'transmitter') this.flushPending(state.systemId);
  }

  private submit(state: SessionState, pdu: PDU): void {
    const session = state.session;
    if (state.mode !== 'transceiver' && state.mode !== 'transmitter') {
      session.send(pdu.response({ command_status: ESME.RINVBNDSTS }));
      return;
    }
    this.counters.submits += 1;
    const action = this.faults.next();
    if (action.kind === 'disconnect') {
      this.counters.disconnects += 1;
      session.destroy();
      return;
    }
    if (action.kind === 'drop') {
      this.counters.responsesDropped += 1;
      return;
    }
    if (action.kind === 'status') {
      if (action.status === 0x58) this.counters.throttled += 1;
      this.later(this.options.submitRespDelayMs, () =>
        session.send(pdu.response({ command_status: action.status })),
      );
      return;
    }
    const messageId = this.ids.next();
    const payload = pdu.message_payload !== undefined;
    const text = messageText(payload ? pdu.message_payload : pdu.short_message);
    const source = String(pdu.source_addr ?? '');
    const destination = String(pdu.destination_addr ?? '');
    const submittedAt = new Date();
    this.recorded.add({
      messageId,
      systemId: state.systemId ?? '',
      source,
      destination,
      text,
      dataCoding: Number(pdu.data_coding ?? 0),
      esmClass: Number(pdu.esm_class ?? 0),
      registeredDelivery: Number(pdu.registered_delivery ?? 0),
      viaPayload: payload,
      receivedAt: submittedAt.toISOString(),
    });
    this.later(this.options.submitRespDelayMs, () => {
      session.send(pdu.response({ message_id: messageId }));
      if ((Number(pdu.registered_delivery ?? 0) & 0x01) === 0) return;
      this.later(this.options.receiptDelayMs, () => {
        const decision = decideReceipt(this.rules, destination, text);
        this.counters.receiptsSent += 1;
        this.deliver(state, {
          systemId: state.systemId ?? '',
          attempts: 0,
          fields: {
            source_addr: destination,
            source_addr_ton: 1,
            source_addr_npi: 1,
            destination_addr: source,
            esm_class: 0x04,
            data_coding: 0x00,
            short_message: Buffer.from(receiptText(messageId, decision, submittedAt, new Date()), 'latin1'),
            receipted_message_id: messageId,
            message_state: decision.messageState,
          },
        });
      });
    });
  }

  /** Mobile-originated message to a bound receiver; resolves with deliver_sm_resp's status. */
  injectMo(mo: { from: string; to: string; text: string; systemId?: string }): Promise<number> {
    const target = this.receiverFor(mo.systemId ?? null, null);
    if (!target) return Promise.reject(new Error('no receiving session is bound'));
    const { dataCoding, bytes } = encodeText(mo.text);
    const international = mo.from.startsWith('+');
    this.counters.moSent += 1;
    return new Promise((resolve) => {
      this.send(target, {
        systemId: target.systemId ?? '',
        attempts: MAX_DELIVER_ATTEMPTS, // MO: the caller sees the answer, no redelivery
        onAnswer: resolve,
        fields: {
          source_addr: mo.from.replace(/^\+/, ''),
          source_addr_ton: international ? 1 : 0,
          source_addr_npi: international ? 1 : 0,
          destination_addr: mo.to.replace(/^\+/, ''),
          dest_addr_ton: 1,
          dest_addr_npi: 1,
          esm_class: 0x00,
          data_coding: dataCoding,
          ...(bytes.length > 254
            ? { short_message: Buffer.alloc(0), message_payload: bytes }
            : { short_message: bytes }),
        },
      });
    });
  }

  private receiverFor(systemId: string | null, preferred: SessionState | null): SessionState | null {
    const receives = (s: SessionState) =>
      (s.mode === 'transceiver' || s.mode === 'receiver') && !s.session.socket.destroyed;
    if (preferred && receives(preferred)) return preferred;
    for (const s of this.sessions)
      if (receives(s) && (systemId === null || s.systemId === systemId)) return s;
    return null;
  }

  private deliver(preferred: SessionState | null, item: PendingDeliver): void {
    const target = this.receiverFor(item.systemId, preferred);
    if (!target) {
      const list = this.pending.get(item.systemId) ?? [];
      if (list.length < this.options.pendingReceiptLimit) list.push(item);
      this.pending.set(item.systemId, list);
      return;
    }
    this.send(target, item);
  }

  private send(target: SessionState, item: PendingDeliver): void {
    const pdu = new smpp.PDU('deliver_sm', item.fields);
    const sent = target.session.send(pdu, (resp: PDU) => {
      target.unanswered.delete(pdu.sequence_number);
      item.onAnswer?.(resp.command_status);
      if (resp.command_status === ESME.ROK) {
        if (!item.onAnswer) this.counters.receiptsAcknowledged += 1;
      } else if (item.attempts + 1 < MAX_DELIVER_ATTEMPTS) {
        this.later(REDELIVER_AFTER_MS, () => this.deliver(null, { ...item, attempts: item.attempts + 1 }));
      }
    });
    if (sent) target.unanswered.set(pdu.sequence_number, item);
    else this.deliver(null, item);
  }

  private flushPending(systemId: string): void {
    const list = this.pending.get(systemId);
    if (!list?.length) return;
    this.pending.delete(systemId);
    for (const item of list) this.deliver(null, item);
  }

  private closed(state: SessionState): void {
    this.sessions.delete(state);
    // Receipts the client never answered are kept for its next bind, as an SMSC would.
    for (const item of state.unanswered.values()) {
      if (item.onAnswer) item.onAnswer(-1);
      else this.deliver(null, item);
    }
    state.unanswered.clear();
  }

  private later(ms: number, fn: () => void): void {
    if (ms <= 0) return void fn();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const s of this.sessions) s.session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
