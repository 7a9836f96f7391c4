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
  /** The body's octets as sent (UDH removed), hex: for byte-exact checks. */
  bodyHex: string;
  dataCoding: number;
  esmClass: number;
  registeredDelivery: number;
  /** True when the body came in the message_payload TLV. */
  viaPayload: boolean;
  /** Set for one part of a concatenated message: UDH IE 0x00 / 0x08, or the sar_* TLVs. */
  part?: MessagePartInfo;
  /** ISO 8601. */
  receivedAt: string;
}

export interface MessagePartInfo {
  scheme: 'udh8' | 'udh16' | 'sar';
  ref: number;
  total: number;
  seq: number;
}

/**
 * A whole message as the handset would see it: a single submit as recorded, or the parts
 * of a concatenated one joined (octets concatenated in order, then decoded).
 */
export interface AssembledMessage extends Omit<RecordedMessage, 'part'> {
  /** The message_id of every part, in part order (one entry for a single submit). */
  partIds: string[];
  /** False while parts are missing (text then holds the parts there are). */
  complete: boolean;
  /** Part count the message declared (1 for a single submit). */
  total: number;
}

/** Join recorded parts into messages, in order of each message's first part. */
export function assembleMessages(
  messages: readonly RecordedMessage[],
  decode: (octets: Buffer, dataCoding: number) => string,
): AssembledMessage[] {
  const out: AssembledMessage[] = [];
  const groups = new Map<string, { index: number; parts: RecordedMessage[] }>();
  for (const message of messages) {
    const { part, ...rest } = message;
    if (!part) {
      out.push({ ...rest, partIds: [message.messageId], complete: true, total: 1 });
      continue;
    }
    const key = [
      message.systemId,
      message.source,
      message.destination,
      part.scheme,
      part.ref,
      part.total,
    ].join('|');
    const group = groups.get(key);
    if (group) {
      group.parts.push(message);
      continue;
    }
    groups.set(key, { index: out.length, parts: [message] });
    out.push(undefined as unknown as AssembledMessage); // placeholder, filled below
  }
  for (const { index, parts } of groups.values()) {
    const ordered = [...new Map(parts.map((p) => [p.part!.seq, p])).values()].sort(
      (a, b) => a.part!.seq - b.part!.seq,
    );
    const first = ordered[0]!;
    const { part, ...rest } = first;
    const octets = Buffer.concat(ordered.map((p) => Buffer.from(p.bodyHex, 'hex')));
    out[index] = {
      ...rest,
      text: decode(octets, first.dataCoding),
      bodyHex: octets.toString('hex'),
      partIds: ordered.map((p) => p.messageId),
      complete: ordered.length === part!.total,
      total: part!.total,
    };
  }
  return out;
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
