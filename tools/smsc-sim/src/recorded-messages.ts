/** A submit_sm the simulated carrier accepted, as it understood it. */
export interface RecordedMessage {
  /** The message_id the simulator answered with. */
  messageId: string;
  /** system_id of the bind that submitted it. */
  systemId: string;
  source: string;
  sourceTon: number;
  sourceNpi: number;
  destination: string;
  destinationTon: number;
  destinationNpi: number;
  /** The body decoded per data_coding (UDH removed). */
  text: string;
  dataCoding: number;
  esmClass: number;
  registeredDelivery: number;
  /** True when the body came in the message_payload TLV. */
  viaPayload: boolean;
  /** Set for one part of a concatenated message (UDH IE 0x00 or 0x08). */
  part?: { ref: number; total: number; seq: number };
  /** ISO 8601. */
  receivedAt: string;
}

/** A fixed-size ring: the newest `capacity` messages, so long benchmarks don't grow memory. */
export class RecordedMessages {
  private readonly items: (RecordedMessage | undefined)[];
  private next = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.items = new Array(capacity);
  }

  get count(): number {
    return this.size;
  }

  add(message: RecordedMessage): void {
    this.items[this.next] = message;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size += 1;
  }

  /** The newest `limit` messages, oldest first. */
  list(limit: number = this.capacity): RecordedMessage[] {
    const n = Math.max(0, Math.min(Math.floor(limit), this.size));
    const out: RecordedMessage[] = [];
    for (let i = n; i > 0; i--) out.push(this.items[(this.next - i + this.capacity) % this.capacity]!);
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.next = 0;
    this.size = 0;
  }
}
