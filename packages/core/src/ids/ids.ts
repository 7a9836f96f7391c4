/** Random bytes drawn 4 KiB at a time: one CSPRNG call per 256 ids instead of one per id. */
const RANDOM_POOL = new Uint8Array(4096);
let randomOffset = RANDOM_POOL.length;

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * UUIDv7 (RFC 9562): time-ordered ids, so new rows append to the end of b-tree indexes.
 * Uses the platform's Web Crypto random source (globalThis.crypto), no I/O.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  if (randomOffset + 10 > RANDOM_POOL.length) {
    globalThis.crypto.getRandomValues(RANDOM_POOL);
    randomOffset = 0;
  }
  const bytes = new Uint8Array(16);
  bytes.set(RANDOM_POOL.subarray(randomOffset, randomOffset + 10), 6);
  RANDOM_POOL.fill(0, randomOffset, randomOffset + 10);
  randomOffset += 10;
  // 48-bit millisecond timestamp, big-endian (two's-complement-safe split for numbers).
  const high = Math.floor(nowMs / 0x1_0000_0000);
  const low = nowMs >>> 0;
  bytes[0] = (high >>> 8) & 0xff;
  bytes[1] = high & 0xff;
  bytes[2] = (low >>> 24) & 0xff;
  bytes[3] = (low >>> 16) & 0xff;
  bytes[4] = (low >>> 8) & 0xff;
  bytes[5] = low & 0xff;
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let hex = '';
  for (let i = 0; i < 16; i++) {
    hex += HEX[bytes[i]!];
    if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-';
  }
  return hex;
}

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_SHAPE.test(value);
}
