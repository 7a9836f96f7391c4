import { createHmac, hkdfSync } from 'node:crypto';
import { LuaScript, type RedisClient } from '@maskline/queues';
import type { LimiterState } from './limiter-state.js';
import { requireReady } from './request-limits.js';

/** Counts one failure; returns { failures in the window, ms until it ends }. */
const FAIL_SCRIPT = new LuaScript(`
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}`);

const ADDRESS_KEY_INFO = 'maskline auth-failure address v1';

/** The key client addresses are named with in Redis: HKDF-SHA256 of the API key pepper. */
export function addressKeyOf(pepper: string): Buffer {
  return Buffer.from(hkdfSync('sha256', pepper, Buffer.alloc(0), ADDRESS_KEY_INFO, 32));
}

/**
 * Throttles authentication failures per client address (request.ip: the socket's peer, or
 * the forwarded address when TRUST_PROXY says so).
 *
 * Deciding costs no I/O: `waitFor` reads this process's map of throttled addresses, so a
 * throttled address is refused before any digest, cache or database work, and a client that
 * authenticates pays nothing extra. Failures are counted in Redis, across every replica: the
 * failure that fills the window marks the address throttled here; another replica learns it
 * at its own next failure from that address (so at most limit + replicas - 1 failing guesses
 * per window cost a digest and a query).
 *
 * Redis unreachable: failures are counted in this process instead (the same limit per
 * replica), so the throttle holds through an outage. Addresses are kept only as a keyed
 * hash (key from the pepper), in Redis and in memory; both maps are bounded.
 */
export class AuthFailureThrottle {
  private readonly throttled = new Map<string, number>();
  private readonly local = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly addressKey: Buffer,
    readonly limit: number,
    private readonly state: LimiterState,
    private readonly options: {
      prefix?: string;
      windowMs?: number;
      maxEntries?: number;
      now?: () => number;
      /** Hears every counted failure, with the address as its keyed hash (the anomaly detector). */
      onFailure?: (addressId: string) => Promise<void>;
    } = {},
  ) {}

  private get windowMs(): number {
    return this.options.windowMs ?? 60_000;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Milliseconds until `address` may try again; 0 when it is not throttled. No I/O. */
  waitFor(address: string): number {
    if (this.throttled.size === 0) return 0;
    const id = this.idOf(address);
    const until = this.throttled.get(id);
    if (until === undefined) return 0;
    const wait = until - this.now();
    if (wait > 0) return wait;
    this.throttled.delete(id);
    return 0;
  }

  /** Counts a failed authentication from `address` (after the answer is known). */
  async failed(address: string): Promise<void> {
    const id = this.idOf(address);
    let count: number;
    let ttl: number;
    try {
      requireReady(this.redis);
      const reply = (await FAIL_SCRIPT.run(
        this.redis,
        [`${this.options.prefix ?? 'ml-auth-fail'}:${id}`],
        [this.windowMs],
      )) as number[];
      this.state.succeeded();
      count = Number(reply[0]);
      ttl = Number(reply[1]) > 0 ? Number(reply[1]) : this.windowMs;
    } catch (error) {
      this.state.failed(error);
      ({ count, ttl } = this.countLocally(id));
    }
    if (count >= this.limit) remember(this.throttled, id, this.now() + ttl, this.maxEntries);
    // Not awaited: the observer never throws, and never holds the answer.
    void this.options.onFailure?.(id);
  }

  private get maxEntries(): number {
    return this.options.maxEntries ?? 100_000;
  }

  private countLocally(id: string): { count: number; ttl: number } {
    const now = this.now();
    const entry = this.local.get(id);
    if (entry && entry.resetAt > now) {
      entry.count += 1;
      return { count: entry.count, ttl: entry.resetAt - now };
    }
    remember(this.local, id, { count: 1, resetAt: now + this.windowMs }, this.maxEntries);
    return { count: 1, ttl: this.windowMs };
  }

  private idOf(address: string): string {
    return createHmac('sha256', this.addressKey)
      .update(address, 'utf8')
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  }
}

/** Sets `id` last in insertion order, dropping the oldest entry when full. */
function remember<V>(map: Map<string, V>, id: string, value: V, maxEntries: number): void {
  map.delete(id);
  if (map.size >= maxEntries) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(id, value);
}
