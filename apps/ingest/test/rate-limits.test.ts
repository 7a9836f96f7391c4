import type { Logger } from '@maskline/core';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from '../src/config.js';
import { AuthFailureThrottle, addressKeyOf } from '../src/rate-limits/auth-failure-throttle.js';
import { LimiterState } from '../src/rate-limits/limiter-state.js';
import { rateLimitHeaders } from '../src/rate-limits/rate-limit-headers.js';

function recording() {
  const lines: string[] = [];
  const log = (_fields: object, message: string) => void lines.push(message);
  const logger = { debug: log, info: log, warn: log, error: log, child: () => logger } as unknown as Logger;
  return { lines, logger };
}

/** A connection that has ended: every limiter call fails at once, as in an outage. */
const endedRedis = { status: 'end' } as unknown as Redis;

describe('rateLimitHeaders', () => {
  it('writes one Structured Fields item per limit, windows and resets in whole seconds (rounded up)', () => {
    const headers = rateLimitHeaders([
      { name: 'key', limit: 60_000, windowMs: 60_000, remaining: 59_990, resetMs: 41_001 },
      { name: 'destination', limit: 60, windowMs: 60_000, remaining: 0, resetMs: 500 },
    ]);
    expect(headers).toEqual({
      'ratelimit-policy': '"key";q=60000;w=60, "destination";q=60;w=60',
      ratelimit: '"key";r=59990;t=42, "destination";r=0;t=1',
    });
  });

  it('writes nothing when no limit applies', () => {
    expect(rateLimitHeaders([])).toEqual({});
  });
});

describe('parseTrustProxy', () => {
  it('is off by default and for false/0/empty', () => {
    for (const value of ['false', '0', '', '  ']) expect(parseTrustProxy(value)).toBe(false);
  });

  it('takes true, a hop count, or a list of addresses', () => {
    expect(parseTrustProxy('true')).toBe(true);
    const hops = parseTrustProxy('2') as (address: string, hop: number) => boolean;
    expect([hops('10.0.0.1', 0), hops('10.0.0.1', 1), hops('10.0.0.1', 2)]).toEqual([true, true, false]);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.1')).toEqual(['10.0.0.0/8', '192.168.1.1']);
  });
});

describe('AuthFailureThrottle without Redis', () => {
  it('counts failures in-process with the same limit, and logs the degradation once', async () => {
    const { lines, logger } = recording();
    let now = 1_000;
    const throttle = new AuthFailureThrottle(
      endedRedis,
      addressKeyOf('p'.repeat(16)),
      3,
      new LimiterState(logger),
      {
        now: () => now,
      },
    );
    for (let i = 0; i < 2; i++) await throttle.failed('192.0.2.1');
    expect(throttle.waitFor('192.0.2.1')).toBe(0);
    await throttle.failed('192.0.2.1');
    expect(throttle.waitFor('192.0.2.1')).toBe(60_000);
    expect(throttle.waitFor('192.0.2.2')).toBe(0);
    now += 60_000;
    expect(throttle.waitFor('192.0.2.1')).toBe(0);
    expect(lines.filter((l) => l.startsWith('rate limits degraded'))).toHaveLength(1);
  });

  it('keeps at most maxEntries addresses in memory', async () => {
    const { logger } = recording();
    const throttle = new AuthFailureThrottle(
      endedRedis,
      addressKeyOf('p'.repeat(16)),
      1,
      new LimiterState(logger),
      {
        maxEntries: 2,
      },
    );
    for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) await throttle.failed(address);
    expect(throttle.waitFor('192.0.2.1')).toBe(0);
    expect(throttle.waitFor('192.0.2.3')).toBeGreaterThan(0);
  });
});
