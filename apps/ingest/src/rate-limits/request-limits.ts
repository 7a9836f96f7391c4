import { LuaScript, type RedisClient } from '@maskline/queues';

/** The limits a request can be counted against; `details.limit` of a 429 names one. */
export type LimitName = 'key' | 'tenant' | 'destination';

/** One fixed window a request counts in: `id` is what the counter is keyed by (never a number in clear). */
export interface LimitWindow {
  name: LimitName;
  id: string;
  limit: number;
  windowMs: number;
}

export interface LimitState {
  name: LimitName;
  limit: number;
  windowMs: number;
  /** Requests left in the window after this one (0 when refused). */
  remaining: number;
  /** Milliseconds until the window reopens. */
  resetMs: number;
}

export interface LimitDecision {
  /** The limit that refused the request (the one whose window reopens last), if any. */
  refusedBy: LimitState | null;
  states: LimitState[];
}

/**
 * Checks every window first and counts in all of them only when none is full, so a
 * refused request uses up nothing (the verification limits use the same rule). Fixed
 * windows that start at their first count. KEYS: window keys; ARGV: limit, window ms per
 * key. Returns { refused index (1-based, 0 = none), then count and ms-to-reset per key }.
 * A key without an expiry (new, or one left without it) gets its window's when counted;
 * the script is atomic, so the PTTL read before counting still holds after it.
 */
const TAKE_SCRIPT = new LuaScript(`
local out = {0}
local wait = -1
local unexpiring = {}
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local count = tonumber(redis.call('GET', key) or '0')
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    unexpiring[i] = true
    ttl = tonumber(ARGV[2 * i])
  end
  if count >= limit and ttl > wait then
    out[1] = i
    wait = ttl
  end
  out[2 * i] = count
  out[2 * i + 1] = ttl
end
if out[1] > 0 then return out end
for i, key in ipairs(KEYS) do
  out[2 * i] = redis.call('INCR', key)
  if unexpiring[i] then redis.call('PEXPIRE', key, ARGV[2 * i]) end
end
return out`);

/**
 * The API's request limits, held in Redis across every ingest replica: all the windows of
 * one request are checked and counted by ONE script call (one round trip, atomic). Every
 * key of a request carries the tenant as a hash tag, so they share a Redis Cluster slot.
 * Redis errors propagate: the caller decides what an outage means (see rate-limit-hook.ts).
 */
export class RequestLimits {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix = 'ml-ratelimit',
  ) {}

  async take(tenantId: string, windows: readonly LimitWindow[]): Promise<LimitDecision> {
    if (windows.length === 0) return { refusedBy: null, states: [] };
    requireReady(this.redis);
    const keys = windows.map((w) => `${this.prefix}:{${tenantId}}:${w.name}:${w.id}`);
    const reply = (await TAKE_SCRIPT.run(
      this.redis,
      keys,
      windows.flatMap((w) => [w.limit, w.windowMs]),
    )) as number[];
    const refused = Number(reply[0]);
    const states = windows.map((w, i) => {
      const count = Number(reply[2 * i + 1]);
      return {
        name: w.name,
        limit: w.limit,
        windowMs: w.windowMs,
        remaining: Math.max(0, w.limit - count),
        resetMs: Math.max(0, Number(reply[2 * i + 2])),
      };
    });
    return { refusedBy: refused > 0 ? (states[refused - 1] ?? null) : null, states };
  }
}

const everReady = new WeakSet<RedisClient>();

/**
 * Throws at once when a connection that was ready is not (Redis away, reconnecting): a
 * request is never held for ioredis' reconnect attempts just to learn that the limits are
 * down. Before its first connect a command waits for it, as any command does.
 */
export function requireReady(redis: RedisClient): void {
  if (redis.status === 'ready') {
    everReady.add(redis);
    return;
  }
  if (everReady.has(redis) || redis.status === 'end') {
    throw Object.assign(new Error('Redis connection not ready'), { code: 'NOT_READY' });
  }
}
