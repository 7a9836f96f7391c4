import { timingSafeEqual } from 'node:crypto';

/** Compares two signatures in constant time (for equal lengths); false for any other length. */
export function sameSignature(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given.trim());
  return a.length === b.length && timingSafeEqual(a, b);
}
