import type { CarrierEvent, CarrierEventSink, InboundEvent, ReceiptEvent } from '@maskline/plugin-sdk';

/**
 * The host's event sink as the testkit plays it: it records every publish() call and the
 * events it accepted, and can refuse the next ones (the host could not make them durable).
 */
export class RecordingSink implements CarrierEventSink {
  /** Every publish() call, refused ones included, in order. */
  readonly attempts: CarrierEvent[] = [];
  /** The events accepted (durable), in order. */
  readonly accepted: CarrierEvent[] = [];
  #refuse = 0;

  /** Reject the next `count` publish() calls. */
  refuseNext(count: number): void {
    this.#refuse = count;
  }

  async publish(event: CarrierEvent): Promise<void> {
    this.attempts.push(event);
    if (this.#refuse > 0) {
      this.#refuse -= 1;
      throw new Error('conformance: the host could not make the event durable');
    }
    this.accepted.push(event);
  }

  receipts(carrierMessageId?: string): ReceiptEvent[] {
    return this.accepted.filter(
      (e): e is ReceiptEvent =>
        e.type === 'receipt' && (carrierMessageId === undefined || e.carrierMessageId === carrierMessageId),
    );
  }

  inbound(): InboundEvent[] {
    return this.accepted.filter((e): e is InboundEvent => e.type === 'inbound');
  }
}
