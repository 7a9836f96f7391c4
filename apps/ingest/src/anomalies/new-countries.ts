import { LuaScript, type RedisClient } from '@maskline/queues';

/**
 * A tenant's destination countries, in one hash per tenant (one call per tenant per accepted
 * batch; one key, so Redis Cluster-safe). Per country: `s:<CC>` when it was last sent to,
 * `f:<CC>` when it became new (not sent to within the lookback), `c:<CC>` messages since,
 * `a:<CC>` set once it alerted; `since` when the hash began (no alert while learning).
 * A country is new when it was not sent to within the lookback; its messages within the
 * window after that count, and the one call that reaches the threshold alerts.
 * KEYS: the tenant's hash; ARGV: now, lookback ms, window ms, threshold, learning ms,
 * then country, count pairs. Returns the alerting countries, each followed by its count and
 * when it became new.
 */
const OBSERVE_SCRIPT = new LuaScript(`
local now = tonumber(ARGV[1])
local lookback = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local threshold = tonumber(ARGV[4])
local learning = tonumber(ARGV[5])
redis.call('HSETNX', KEYS[1], 'since', now)
local learned = now - tonumber(redis.call('HGET', KEYS[1], 'since')) >= learning
local alerts = {}
for i = 6, #ARGV, 2 do
  local cc = ARGV[i]
  local n = tonumber(ARGV[i + 1])
  local last = redis.call('HGET', KEYS[1], 's:' .. cc)
  if not last or now - tonumber(last) > lookback then
    redis.call('HSET', KEYS[1], 'f:' .. cc, now, 'c:' .. cc, 0)
    redis.call('HDEL', KEYS[1], 'a:' .. cc)
  end
  redis.call('HSET', KEYS[1], 's:' .. cc, now)
  local first = tonumber(redis.call('HGET', KEYS[1], 'f:' .. cc) or now)
  if now - first <= window then
    local c = redis.call('HINCRBY', KEYS[1], 'c:' .. cc, n)
    if learned and c >= threshold and redis.call('HSETNX', KEYS[1], 'a:' .. cc, 1) == 1 then
      table.insert(alerts, cc)
      table.insert(alerts, c)
      table.insert(alerts, first)
    end
  end
end
redis.call('PEXPIRE', KEYS[1], lookback + window)
return alerts`);

export interface NewCountrySettings {
  /** A country not sent to for this long is new again. */
  lookbackMs: number;
  /** How long after becoming new its messages count. */
  windowMs: number;
  /** Messages to a new country within the window that raise the alert (0: off). */
  threshold: number;
  /** No alert until the tenant's countries were watched this long (a fresh hash knows none). */
  learningMs: number;
}

export class NewCountryCounter {
  constructor(
    private readonly redis: RedisClient,
    private readonly settings: NewCountrySettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a batch's messages per country; returns the countries that just became an alert. */
  async observe(
    key: string,
    counts: ReadonlyMap<string, number>,
  ): Promise<{ country: string; count: number; newSince: number }[]> {
    const s = this.settings;
    const args: (string | number)[] = [this.now(), s.lookbackMs, s.windowMs, s.threshold, s.learningMs];
    for (const [country, count] of counts) args.push(country, count);
    const reply = (await OBSERVE_SCRIPT.run(this.redis, [key], args)) as (string | number)[];
    const alerts: { country: string; count: number; newSince: number }[] = [];
    for (let i = 0; i + 2 < reply.length; i += 3) {
      alerts.push({ country: String(reply[i]), count: Number(reply[i + 1]), newSince: Number(reply[i + 2]) });
    }
    return alerts;
  }
}
