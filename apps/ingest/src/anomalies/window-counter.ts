import { LuaScript, type RedisClient } from '@maskline/queues';

/**
 * Adds to a fixed-window counter (one hash: `n` the count, `a` set once the window alerted;
 * the window starts with its first count) and says whether this call crossed the threshold
 * first. One key, one script: safe on Redis Cluster. KEYS: counter; ARGV: window ms, by,
 * threshold. Returns {count, alert (1|0), ms left in the window}.
 */
const COUNT_SCRIPT = new LuaScript(`
local n = redis.call('HINCRBY', KEYS[1], 'n', ARGV[2])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local alert = 0
if n >= tonumber(ARGV[3]) and redis.call('HSETNX', KEYS[1], 'a', 1) == 1 then alert = 1 end
return {n, alert, redis.call('PTTL', KEYS[1])}`);

export interface WindowCount {
  count: number;
  /** True for exactly one call per window: the one whose count reached the threshold. */
  alert: boolean;
  /** When the window ends (epoch ms), to name the window an alert is about. */
  windowEndsAt: number;
}

/** Fixed-window counters in Redis whose crossing of a threshold is reported once per window. */
export class WindowCounter {
  constructor(
    private readonly redis: RedisClient,
    private readonly now: () => number = Date.now,
  ) {}

  async add(key: string, by: number, threshold: number, windowMs: number): Promise<WindowCount> {
    const [count, alert, ttl] = (await COUNT_SCRIPT.run(
      this.redis,
      [key],
      [windowMs, by, threshold],
    )) as number[];
    return {
      count: Number(count),
      alert: Number(alert) === 1,
      windowEndsAt: this.now() + Math.max(0, Number(ttl)),
    };
  }
}
