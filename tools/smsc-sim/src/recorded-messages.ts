/** What the simulated carrier received: kept in a bounded ring for tests and the control API. */
export interface RecordedMessage {
  messageId: string;
  systemId: string;
  source: string;
  destination: string;
  text: string;
  dataCoding: number;
  esmClass: number;
  registeredDelivery: number;
  viaPayload: boolean;
  receivedAt: string;
}

export class RecordedMessages {
  private readonly items: RecordedMessage[] = [];

  constructor(private readonly capacity: number) {}

  add(message: RecordedMessage): void {
    this.items.push(message);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  list(limit = this.capacity): RecordedMessage[] {
    return this.items.slice(-limit);
  }

  clear(): void {
    this.items.length = 0;
  }
}
