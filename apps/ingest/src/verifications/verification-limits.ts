import { MasklineError } from '@maskline/core';
import { LuaScript, type RedisClient } from '@maskline/queues';
import type { VerificationLimitOverrides } from '@maskline/storage';
import type { VerificationLimitSettings } from './verification-config.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Checks every window first and counts in all of them only when none is full, so a refused
 * request uses up nothing. Fixed windows that start at their first count (as the API's
 * request limiter counts). KEYS: window keys; ARGV: limit, window ms per key. Returns 0 or
 * the milliseconds until the fullest window reopens.
 */
const TAKE_SCRIPT = new LuaScript(`
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= limit then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then ttl = tonumber(ARGV[2 * i]) end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[2 * i]) end
end
return 0`);

interface Window {
  key: string;
  limit: number;
  ms: number;
}

/**
 * The verification abuse limits (docs/verifications.md#limits), held in Redis across all
 * ingest processes: per destination number, number range and country (each per tenant) and
 * per tenant. The destination
 * enters a key only as the vault's keyed blind index (`destination`), never in clear.
 * A new verification counts in every window; a resend in the destination's hour and day
 * windows and the tenant's (its own 30 s cool-down replaces the per-minute window).
 * Redis errors propagate (503): the limits fail closed.
 */
/** A tenant's own limits (tenant_verification_limits), read at most every OVERRIDES_TTL_MS. */
export interface VerificationLimitOverrideSource {
  get(tenantId: string): Promise<VerificationLimitOverrides>;
}

const OVERRIDES_TTL_MS = 10_000;

export class VerificationLimits {
  private readonly cache = new Map<string, { at: number; value: VerificationLimitOverrides }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly settings: VerificationLimitSettings,
    private readonly prefix = 'ml-verify-limit',
    private readonly overrides: VerificationLimitOverrideSource | null = null,
    private readonly now: () => number = Date.now,
  ) {}

  /** The limits in force for a tenant: its own where it set them, else the defaults. */
  async settingsFor(tenantId: string): Promise<VerificationLimitSettings> {
    if (!this.overrides) return this.settings;
    const cached = this.cache.get(tenantId);
    let value = cached && this.now() - cached.at < OVERRIDES_TTL_MS ? cached.value : null;
    if (!value) {
      value = await this.overrides.get(tenantId);
      this.cache.set(tenantId, { at: this.now(), value });
    }
    return { ...this.settings, ...value };
  }

  /** A change made through this process applies at once here (others: within 10 s). */
  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  /**
   * Counts one message towards `destination` (and its range and country, when given), or
   * throws 429 verification_rate_limited. `range` is the tenant's keyed blind index of the
   * number's range, never the prefix itself.
   */
  async take(
    tenantId: string,
    destination: string,
    kind: 'send' | 'resend',
    area: { range?: string; country?: string | null } = {},
  ): Promise<void> {
    const base = `${this.prefix}:{${tenantId}}`;
    const s = await this.settingsFor(tenantId);
    const windows: Window[] = [
      ...(kind === 'send'
        ? [{ key: `${base}:d:${destination}:m`, limit: s.perDestinationMinute, ms: MINUTE }]
        : []),
      { key: `${base}:d:${destination}:h`, limit: s.perDestinationHour, ms: HOUR },
      { key: `${base}:d:${destination}:d`, limit: s.perDestinationDay, ms: DAY },
      { key: `${base}:t:h`, limit: s.perTenantHour, ms: HOUR },
      ...(area.range ? [{ key: `${base}:r:${area.range}:h`, limit: s.perRangeHour ?? 0, ms: HOUR }] : []),
      ...(area.country
        ? [{ key: `${base}:c:${area.country}:h`, limit: s.perCountryHour ?? 0, ms: HOUR }]
        : []),
    ].filter((w) => w.limit > 0);
    if (windows.length === 0) return;
    const wait = Number(
      await TAKE_SCRIPT.run(
        this.redis,
        windows.map((w) => w.key),
        windows.flatMap((w) => [w.limit, w.ms]),
      ),
    );
    if (wait > 0) throw new MasklineError('verification_rate_limited', { retryAfterMs: wait });
  }
}
