import { randomBytes } from 'node:crypto';

export type MessageIdFormat = 'hex' | 'decimal';

/** Carrier message ids as real SMSCs hand them out: hex strings or decimal counters. */
export class MessageIds {
  private counter: bigint;

  constructor(private readonly format: MessageIdFormat) {
    this.counter = BigInt(randomBytes(4).readUInt32BE(0)) * 1000n;
  }

  next(): string {
    this.counter += 1n;
    return this.format === 'decimal'
      ? this.counter.toString(10)
      : `${randomBytes(4).toString('hex')}${this.counter.toString(16)}`;
  }
}
