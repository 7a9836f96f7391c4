import { randomInt } from 'node:crypto';

export type MessageIdFormat = 'hex' | 'decimal';

/**
 * Carrier message ids as SMSCs hand them out: 16 hex digits or 16 decimal digits (fits an
 * unsigned 64-bit integer). A random per-instance prefix and a counter: unique within a
 * simulator, and (with high probability) across restarts and parallel simulators, so a
 * late receipt from an old run never matches a new message.
 */
export function messageIdGenerator(format: MessageIdFormat): () => string {
  let counter = 0;
  if (format === 'hex') {
    const prefix = randomInt(0x1000_0000, 0xffff_ffff).toString(16);
    return () => {
      counter = (counter + 1) % 0x1_0000_0000;
      return prefix + counter.toString(16).padStart(8, '0');
    };
  }
  const prefix = String(randomInt(100_000, 1_000_000));
  return () => {
    counter = (counter + 1) % 10_000_000_000;
    return prefix + String(counter).padStart(10, '0');
  };
}
