/// <reference types="@maskline/smpp-types" preserve="true" />
import {
  type CarrierHealth,
  type CarrierPlugin,
  type InboundEvent,
  type Logger,
  MasklineError,
  type PluginContext,
  type ReceiptEvent,
  type SubmitOptions,
  type SubmitRequest,
  type SubmitResult,
} from '@maskline/core';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { PDU } from 'smpp';
import { destinationAddress, type SmppConfig, sourceAddress } from './config.js';
import { decodeText, encodeText, messageBodyFields } from './encoding.js';
import { deliverSmOctets } from './pdu-text.js';
import { parseReceipt } from './receipt-parser.js';
import { SmppBind } from './session/smpp-bind.js';
import { submitStatusError } from './submit-status.js';

const ESME_ROK = 0x00;
/** esm_class bits 5-2 (SMPP 3.4 §5.2.12): 0001 = SMSC delivery receipt, 1000 = intermediate notification. */
const ESM_TYPE_MASK = 0x3c;
const ESM_DELIVERY_RECEIPT = 0x04;
const ESM_INTERMEDIATE_NOTIFICATION = 0x20;
const TON_INTERNATIONAL = 1;

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The SMPP carrier: `binds` transceiver binds to one SMSC. Submits go round-robin over the
 * binds that are bound; deliver_sm (receipts and MO) is acknowledged only once the host
 * has made the event durable.
 */
export class SmppCarrier implements CarrierPlugin {
  readonly #ctx: PluginContext;
  readonly #config: SmppConfig;
  readonly #logger: Logger;
  readonly #binds: SmppBind[];
  #next = 0;
  #closed = false;

  constructor(ctx: PluginContext, config: SmppConfig) {
    this.#ctx = ctx;
    this.#logger = ctx.logger.child({ carrier: ctx.carrierId, plugin: 'smpp' });
    this.#binds = Array.from(
      { length: config.binds },
      (_, index) =>
        new SmppBind({ config, index, logger: this.#logger, onDeliver: (pdu) => this.#onDeliver(pdu) }),
    );
    this.#config = config;
  }

  /** Resolves when at least one bind is up (the others keep retrying); rejects if none could bind. */
  async start(): Promise<void> {
    const results = await Promise.allSettled(this.#binds.map((bind) => bind.start()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length === results.length) {
      await this.close();
      throw failures[0]!.reason;
    }
    if (failures.length > 0) this.#logger.warn({ detail: this.health().detail }, 'SMPP started degraded');
  }

  submit(request: SubmitRequest, options: SubmitOptions = {}): Promise<SubmitResult> {
    const encoded = encodeText(request.body);
    return this.#ctx.tracer.startActiveSpan(
      'smpp submit_sm',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'maskline.carrier': this.#ctx.carrierId,
          'maskline.message.id': request.messageId,
          'smpp.segments': encoded.segments,
          'smpp.data_coding': encoded.dataCoding,
        },
      },
      async (span) => {
        try {
          const bind = this.#pickBind();
          if (!bind) {
            throw new MasklineError('carrier_unavailable', { message: 'No SMPP bind is up.' });
          }
          const source = sourceAddress(request.from, this.#config);
          const destination = destinationAddress(request.to, this.#config);
          const response = await bind.submit(
            {
              service_type: '',
              source_addr_ton: source.ton,
              source_addr_npi: source.npi,
              source_addr: source.addr,
              dest_addr_ton: destination.ton,
              dest_addr_npi: destination.npi,
              destination_addr: destination.addr,
              esm_class: 0,
              registered_delivery: request.requestReceipt ? 1 : 0,
              ...messageBodyFields(encoded),
            },
            options.signal,
          );
          span.setAttribute('smpp.command_status', response.command_status);
          if (response.command !== 'submit_sm_resp' || response.command_status !== ESME_ROK) {
            throw submitStatusError(response.command_status, response.command);
          }
          const messageId = str(response.message_id);
          if (!messageId) {
            throw new MasklineError('carrier_error', { message: 'submit_sm_resp carried no message_id.' });
          }
          span.setStatus({ code: SpanStatusCode.OK });
          return { carrierMessageId: messageId, partIds: [messageId], segments: encoded.segments };
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

  health(): CarrierHealth {
    const up = this.#binds.filter((bind) => bind.isBound).length;
    const total = this.#binds.length;
    const status = this.#closed || up === 0 ? 'down' : up === total ? 'up' : 'degraded';
    return { status, detail: this.#closed ? 'closed' : `${up}/${total} binds up` };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#binds.map((bind) => bind.close()));
  }

  #pickBind(): SmppBind | undefined {
    if (this.#closed) return undefined;
    for (let i = 0; i < this.#binds.length; i++) {
      const bind = this.#binds[(this.#next + i) % this.#binds.length]!;
      if (bind.isBound) {
        this.#next = (this.#next + i + 1) % this.#binds.length;
        return bind;
      }
    }
    return undefined;
  }

  /** Returns the deliver_sm_resp status; a rejected publish becomes ESME_RX_T_APPN in the bind. */
  async #onDeliver(pdu: PDU): Promise<number> {
    const type = num(pdu.esm_class) & ESM_TYPE_MASK;
    const octets = deliverSmOctets(pdu);
    if (type === ESM_DELIVERY_RECEIPT || type === ESM_INTERMEDIATE_NOTIFICATION) {
      const receipt = parseReceipt(octets.toString('latin1'), {
        receiptedMessageId: str(pdu.receipted_message_id) || undefined,
        messageState: typeof pdu.message_state === 'number' ? pdu.message_state : undefined,
        networkErrorCode: Buffer.isBuffer(pdu.network_error_code) ? pdu.network_error_code : undefined,
      });
      if (!receipt) {
        // Decision: acknowledge (ESME_ROK) and drop. A receipt without a message id can
        // never be matched, and a temporary error would make the SMSC redeliver it forever,
        // holding up the receipts behind it. Logged without content (no PII).
        this.#logger.warn({ octets: octets.length }, 'Dropped an SMPP receipt without a message id');
        return ESME_ROK;
      }
      const event: ReceiptEvent = { type: 'receipt', ...receipt };
      await this.#ctx.events.publish(event);
      return ESME_ROK;
    }
    const event: InboundEvent = {
      type: 'inbound',
      from: address(str(pdu.source_addr), num(pdu.source_addr_ton)),
      to: address(str(pdu.destination_addr), num(pdu.dest_addr_ton)),
      body: decodeText(octets, num(pdu.data_coding)),
      receivedAt: this.#ctx.clock.now().toISOString(),
    };
    await this.#ctx.events.publish(event);
    return ESME_ROK;
  }
}

/** An international number gets its "+" back; anything else (short code, alphanumeric) as is. */
function address(addr: string, ton: number): string {
  return ton === TON_INTERNATIONAL && /^\d+$/.test(addr) ? `+${addr}` : addr;
}
