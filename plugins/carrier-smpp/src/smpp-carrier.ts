/// <reference types="@maskline/smpp-types" preserve="true" />
import {
  type CarrierHealth,
  type CarrierPlugin,
  type Logger,
  MasklineError,
  type PluginContext,
  type SlotHold,
  type SlotLeases,
  type SubmitOptions,
  type SubmitRequest,
  type SubmitResult,
} from '@maskline/core';
import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { PDU } from 'smpp';
import { destinationAddress, sourceAddress } from './addresses.js';
import { smppPasswordSchema } from './config.js';
import { readDeliverSm } from './deliver-sm.js';
import { encodeText, MAX_PARTS, messageParts } from './encoding.js';
import type { DeliverSmDecision, EncodedText, MessagePart } from './internal-types.js';
import { canonicalMessageId, receiptIdInSubmitForm } from './message-id.js';
import { MoReassembler } from './mo-reassembly.js';
import { SmppBind, type SmppBindRole } from './session/smpp-bind.js';
import { countThrottled, observeBinds } from './smpp-metrics.js';
import { SubmitStatusTable, smppCarrierAnswer } from './submit-status.js';
import type { SmppConfig } from './types.js';

const ESME_ROK = 0x00;

/** The `password` secret as the host resolved it; checked again here (never quoted). */
function bindPassword(ctx: PluginContext): string {
  const password = ctx.secrets.password;
  if (password === undefined || !smppPasswordSchema.safeParse(password).success) {
    throw new MasklineError('config_invalid', {
      message: `carrier "${ctx.carrierId}": secrets.password: missing or not a valid SMPP password.`,
    });
  }
  return password;
}

/** Without a host's leases (one process): every slot is held, from the start, for good. */
const OWN_EVERY_SLOT: SlotLeases = {
  hold: async (count, listener) => {
    const held = new Set(Array.from({ length: count }, (_, slot) => slot));
    for (const slot of held) listener.acquired(slot);
    return { held, letGoWithinMs: 0, release: async () => {} };
  },
};

/**
 * The SMPP carrier: `binds` bind slots to one SMSC, each a transceiver or a transmitter +
 * receiver pair. A slot's connections exist only while this process holds the slot's
 * lease (ctx.slots: shared with the carrier's other processes, so together they never open
 * more than `binds`); a slot lost is closed at once, one acquired is bound. Submits go round-robin over the bound binds that can transmit (preferring
 * one with a free window slot); a long body goes as UDH / SAR parts or one message_payload
 * (`longMessages`), all parts on the same bind. deliver_sm (receipts and MO) is
 * acknowledged only once the host has made the event durable; multipart MO is reassembled
 * first (see MoReassembler for the acknowledgement trade-off).
 */
export class SmppCarrier implements CarrierPlugin {
  readonly #ctx: PluginContext;
  readonly #config: SmppConfig;
  readonly #logger: Logger;
  readonly #password: string;
  readonly #roles: SmppBindRole[];
  /** Each slot's binds while this process holds it (null: not held). */
  readonly #slots: (SmppBind[] | null)[];
  #binds: SmppBind[] = [];
  #transmitters: SmppBind[] = [];
  #hold: SlotHold | null = null;
  /** First bind attempts of the slots taken during start(). */
  #starts: Promise<void>[] = [];
  readonly #mo: MoReassembler;
  readonly #statusTable: SubmitStatusTable;
  #next = 0;
  /** Concatenation reference of the next long message (8-bit UDH uses its low octet). */
  #reference = Math.floor(Math.random() * 0x10000);
  #closed = false;
  #unobserve: () => void = () => {};

  constructor(ctx: PluginContext, config: SmppConfig) {
    this.#ctx = ctx;
    this.#config = config;
    this.#logger = ctx.logger.child({ carrier: ctx.carrierId, plugin: 'smpp' });
    this.#statusTable = new SubmitStatusTable(config.submitStatusOverrides);
    this.#password = bindPassword(ctx);
    this.#roles = config.bindMode === 'transmitter-receiver' ? ['transmitter', 'receiver'] : ['transceiver'];
    this.#slots = Array.from({ length: config.binds }, () => null);
    this.#mo = new MoReassembler({
      timeoutMs: config.moReassemblyTimeoutMs,
      incomplete: config.moIncomplete,
      missingMarker: config.moMissingPartMarker,
      maxPending: config.moMaxPending,
      publish: (event) => ctx.events.publish(event),
      logger: this.#logger,
    });
  }

  /**
   * Takes the bind slots it can (all of them without ctx.slots), then resolves when at
   * least one of their binds is up (the others keep retrying); rejects with the first
   * bind's error if none could bind. Either way every bind that is down keeps reconnecting
   * with backoff until close(): a plugin whose SMSC is down at boot reports health 'down'
   * and becomes usable as soon as the SMSC answers. Holding no slot (other processes hold
   * them all) is not a failure: health is 'down' with standby until a slot comes free.
   */
  async start(): Promise<void> {
    this.#unobserve();
    this.#unobserve = observeBinds(this.#ctx.carrierId, () => this.#binds);
    this.#hold = await (this.#ctx.slots ?? OWN_EVERY_SLOT).hold(this.#config.binds, {
      acquired: (slot) => this.#openSlot(slot),
      lost: (slot) => this.#closeSlot(slot),
    });
    const starts = this.#starts;
    this.#starts = [];
    if (starts.length === 0) {
      this.#logger.info(
        { slots: this.#config.binds },
        'SMPP on standby: other processes hold every bind slot',
      );
      return;
    }
    const results = await Promise.allSettled(starts);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length === results.length) {
      if (!this.#closed)
        this.#logger.warn({ detail: this.health().detail }, 'SMPP could not bind; retrying with backoff');
      throw failures[0]!.reason;
    }
    if (failures.length > 0) this.#logger.warn({ detail: this.health().detail }, 'SMPP started degraded');
  }

  submit(request: SubmitRequest, options: SubmitOptions = {}): Promise<SubmitResult> {
    return this.#ctx.tracer.startActiveSpan(
      'smpp submit_sm',
      {
        kind: SpanKind.CLIENT,
        attributes: { 'maskline.carrier': this.#ctx.carrierId, 'maskline.message.id': request.messageId },
      },
      async (span) => {
        try {
          const result = await this.#submit(request, span, options.signal);
          span.setStatus({ code: SpanStatusCode.OK });
          return result;
        } catch (error) {
          const code = error instanceof MasklineError ? error.code : 'plugin_failure';
          span.setAttribute('maskline.error.code', code);
          span.setStatus({ code: SpanStatusCode.ERROR, message: code });
          this.#logger.warn({ messageId: request.messageId, errorCode: code }, 'SMPP submit failed');
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  /** A full window on every bind that transmits, over every slot this process may hold. */
  get inFlightLimit(): number {
    const transmitters = this.#roles.filter((role) => role !== 'receiver').length;
    return this.#config.windowSize * transmitters * this.#config.binds;
  }

  health(): CarrierHealth {
    if (this.#closed) return { status: 'down', detail: 'closed' };
    const held = this.#slots.filter((slot) => slot !== null).length;
    if (this.#hold && held === 0) {
      return {
        status: 'down',
        standby: true,
        detail: `standby: other processes hold all ${this.#config.binds} bind slots`,
      };
    }
    const up = this.#binds.filter((bind) => bind.isBound).length;
    const total = this.#binds.length;
    const status = up === 0 ? 'down' : up === total ? 'up' : 'degraded';
    const slowed = this.#transmitters.filter((bind) => bind.throttle.slowed);
    const windows = slowed.map((bind) => `${bind.throttle.window}/${this.#config.windowSize}`).join(', ');
    const throttled = slowed.length > 0 ? `; slowed down by the SMSC (window ${windows})` : '';
    const failures = [...new Set(this.#binds.map((bind) => bind.failure).filter((f) => f !== undefined))];
    const down = failures.length > 0 ? `; last failure: ${failures.join(', ')}` : '';
    const shared = held < this.#config.binds ? `; holds ${held} of ${this.#config.binds} bind slots` : '';
    return { status, detail: `${up}/${total} binds up${down}${throttled}${shared}` };
  }

  /** Unbinds every held slot (still leased meanwhile), then gives the leases back. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unobserve();
    await Promise.all(this.#binds.map((bind) => bind.close()));
    await this.#hold?.release();
    await this.#mo.close();
  }

  /** This process holds `slot`: create its binds and start binding. */
  #openSlot(slot: number): void {
    if (this.#closed || this.#slots[slot]) return;
    const binds = this.#roles.map(
      (role) =>
        new SmppBind({
          config: this.#config,
          password: this.#password,
          index: slot,
          role,
          logger: this.#logger,
          statusTable: this.#statusTable,
          onDeliver: (pdu) => this.#onDeliver(pdu),
          onThrottled: () => countThrottled(this.#ctx.carrierId),
        }),
    );
    this.#slots[slot] = binds;
    this.#rebuild();
    this.#logger.info({ slot }, 'SMPP bind slot taken');
    const started = Promise.all(binds.map((bind) => bind.start())).then(() => {});
    if (this.#hold === null) this.#starts.push(started);
    else started.catch(() => {}); // the binds keep retrying; health reports them
  }

  /** `slot` is no longer ours: its binds close within the hold's bound, before anyone else may bind it. */
  async #closeSlot(slot: number): Promise<void> {
    const binds = this.#slots[slot];
    if (!binds) return;
    this.#slots[slot] = null;
    this.#rebuild();
    this.#logger.info({ slot }, 'SMPP bind slot let go');
    const within = this.#hold?.letGoWithinMs;
    await Promise.all(binds.map((bind) => bind.close(within || undefined)));
  }

  #rebuild(): void {
    this.#binds = this.#slots.flatMap((binds) => binds ?? []);
    this.#transmitters = this.#binds.filter((bind) => bind.canTransmit);
    this.#next = 0;
  }

  async #submit(request: SubmitRequest, span: Span, signal?: AbortSignal): Promise<SubmitResult> {
    // Validate everything before touching a bind: a bad request fails the same way whether
    // or not the link is up, and nothing malformed reaches the codec.
    const source = sourceAddress(request.from, this.#config);
    const destination = destinationAddress(request.to, this.#config);
    const encoded = this.#encode(request.body);
    span.setAttributes({ 'smpp.segments': encoded.segments, 'smpp.data_coding': encoded.dataCoding });
    const bind = this.#pickBind();
    if (!bind) throw new MasklineError('carrier_unavailable', { message: 'No SMPP bind is up.' });
    const registered = request.requestReceipt && this.#config.registeredDelivery;
    const parts = this.#parts(encoded);
    if (parts.length > 1) span.setAttribute('smpp.parts', parts.length);
    const partIds: string[] = [];
    // Every part on the same bind, in order. A failed part fails the message; the parts
    // already accepted are not withdrawn (SMPP cannot), so a retry may repeat them.
    for (const part of parts) {
      const response = await bind.submit(
        {
          service_type: '',
          source_addr_ton: source.ton,
          source_addr_npi: source.npi,
          source_addr: source.addr,
          dest_addr_ton: destination.ton,
          dest_addr_npi: destination.npi,
          destination_addr: destination.addr,
          registered_delivery: registered ? 1 : 0,
          ...part,
        },
        signal,
      );
      partIds.push(canonicalMessageId(this.#messageIdOf(response, span)));
    }
    return { carrierMessageId: partIds[0]!, partIds, segments: Math.max(encoded.segments, parts.length) };
  }

  #parts(encoded: EncodedText): MessagePart[] {
    const mode = this.#config.longMessages;
    const reference = this.#reference;
    if (encoded.segments > 1 && mode !== 'payload') this.#reference = (this.#reference + 1) & 0xffff;
    try {
      return messageParts(encoded, mode, reference);
    } catch {
      throw new MasklineError('carrier_rejected', {
        message: `The body needs more than ${MAX_PARTS} parts.`,
        details: { field: 'body' },
      });
    }
  }

  #encode(body: string): EncodedText {
    const encoded = encodeText(body);
    if (encoded.bytes.length > this.#config.maxBodyOctets) {
      throw new MasklineError('carrier_rejected', {
        message: `The encoded body is ${encoded.bytes.length} octets; this carrier takes at most ${this.#config.maxBodyOctets}.`,
        details: { field: 'body', octets: encoded.bytes.length },
      });
    }
    return encoded;
  }

  #messageIdOf(response: PDU, span: Span): string {
    span.setAttribute('smpp.command_status', response.command_status);
    if (response.command !== 'submit_sm_resp' || response.command_status !== ESME_ROK) {
      throw this.#statusTable.error(response.command_status, response.command);
    }
    const id = typeof response.message_id === 'string' ? response.message_id : '';
    if (!id) {
      throw new MasklineError('carrier_error', {
        message: 'submit_sm_resp carried no message_id.',
        details: smppCarrierAnswer(ESME_ROK),
      });
    }
    return id;
  }

  /** Round-robin over bound transmitting binds, preferring one with a free window slot. */
  #pickBind(): SmppBind | undefined {
    if (this.#closed) return undefined;
    const binds = this.#transmitters;
    const n = binds.length;
    let fallback: number | undefined;
    for (let i = 0; i < n; i++) {
      const index = (this.#next + i) % n;
      const bind = binds[index]!;
      if (bind.hasFreeSlot) return this.#take(index);
      if (bind.isBound) fallback ??= index;
    }
    return fallback === undefined ? undefined : this.#take(fallback);
  }

  #take(index: number): SmppBind {
    this.#next = (index + 1) % this.#transmitters.length;
    return this.#transmitters[index]!;
  }

  /**
   * The deliver_sm_resp status for a deliver_sm. A publish rejection propagates: the bind
   * answers ESME_RX_T_APPN (0x64) so the SMSC redelivers.
   *
   * A deliver_sm we cannot use (a receipt without any message id, an SME acknowledgement,
   * or one that fails to decode) is answered ESME_ROK and dropped, logged without content.
   * Why not ESME_RSYSERR / a temporary error: reading it is deterministic, so every
   * redelivery fails the same way. The SMSC would retry it for hours, and many SMSCs hold
   * back the receipts queued behind it meanwhile. A receipt that never arrives costs one
   * message its final status (the receipt sweep ends it); a stuck queue costs them all.
   */
  async #onDeliver(pdu: PDU): Promise<number> {
    let decision: DeliverSmDecision;
    try {
      decision = readDeliverSm(pdu, this.#ctx.clock.now().toISOString());
    } catch (error) {
      this.#logger.warn({ err: error instanceof Error ? error.name : 'unknown' }, 'Unreadable deliver_sm');
      decision = { kind: 'ignored', reason: 'unreadable' };
    }
    if (decision.kind === 'ignored') {
      const { esm_class: esmClass, data_coding: dataCoding } = pdu;
      this.#logger.warn(
        { reason: decision.reason, esmClass, dataCoding },
        'deliver_sm acknowledged and dropped',
      );
      return ESME_ROK;
    }
    if (decision.kind === 'inbound' && decision.part) {
      const held = this.#mo.add(decision.part, decision.event);
      if (held === 'held' || held === 'duplicate') {
        if (held === 'duplicate')
          this.#logger.info({ total: decision.part.total }, 'Repeated MO part dropped');
        return ESME_ROK; // held in memory (see MoReassembler): acknowledged now
      }
      try {
        await this.#ctx.events.publish(held.event);
      } catch (error) {
        held.restore();
        throw error;
      }
      return ESME_ROK;
    }
    const event =
      decision.event.type === 'receipt'
        ? {
            ...decision.event,
            carrierMessageId: receiptIdInSubmitForm(
              decision.event.carrierMessageId,
              this.#config.receiptIdRadix,
            ),
          }
        : decision.event;
    await this.#ctx.events.publish(event);
    return ESME_ROK;
  }
}
