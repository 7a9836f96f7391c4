import { describe, expect, it } from 'vitest';
import { KeyedLimiter } from '../src/dispatch/keyed-limiter.js';
import { nextAttemptAt } from '../src/dispatch/retry-schedule.js';
import { isWebhookJob } from '../src/dispatch/webhook-dispatcher.js';
import { isSubscribed, isValidSubscription } from '../src/event-types.js';
import { webhookConfigShape } from '../src/webhook-config.js';

describe('retry schedule', () => {
  const schedule = { baseMs: 10_000, capMs: 3_600_000, retryForMs: 86_400_000 };
  const start = new Date(0);

  it('doubles the delay per attempt with jitter between half and all of it, capped', () => {
    const at = (attempt: number, r: number) =>
      nextAttemptAt(schedule, attempt, start, 0, () => r)?.getTime() ?? -1;
    expect([at(1, 0), at(1, 1)]).toEqual([5_000, 10_000]);
    expect([at(2, 0), at(2, 1)]).toEqual([10_000, 20_000]);
    expect([at(5, 0), at(5, 1)]).toEqual([80_000, 160_000]);
    expect([at(40, 0), at(40, 1)]).toEqual([1_800_000, 3_600_000]);
  });

  it('gives up (dead-letter) once the retry window since retry_from is over', () => {
    expect(nextAttemptAt(schedule, 3, start, 86_399_999, () => 0)).not.toBeNull();
    expect(nextAttemptAt(schedule, 3, start, 86_400_000, () => 0)).toBeNull();
  });
});

describe('per-endpoint concurrency', () => {
  it('runs at most `limit` tasks per key at once, other keys unaffected', async () => {
    const limiter = new KeyedLimiter();
    const active = new Map<string, number>();
    const peak = new Map<string, number>();
    const task = (key: string) => async () => {
      active.set(key, (active.get(key) ?? 0) + 1);
      peak.set(key, Math.max(peak.get(key) ?? 0, active.get(key) ?? 0));
      await new Promise((r) => setTimeout(r, 10));
      active.set(key, (active.get(key) ?? 0) - 1);
    };
    await Promise.all([
      ...Array.from({ length: 6 }, () => limiter.run('a', 2, task('a'))),
      ...Array.from({ length: 3 }, () => limiter.run('b', 3, task('b'))),
    ]);
    expect(peak.get('a')).toBe(2);
    expect(peak.get('b')).toBe(3);
  });
});

describe('event type subscriptions', () => {
  it('accepts known types, family wildcards and *, nothing else', () => {
    for (const ok of ['message.status', 'session.*', 'inbound.*', 'pool.low_watermark', 'webhook.*', '*']) {
      expect(isValidSubscription(ok), ok).toBe(true);
    }
    for (const bad of ['session', 'sms.*', 'message.sent', '*.*', 'session.**', '']) {
      expect(isValidSubscription(bad), bad).toBe(false);
    }
  });

  it('matches like the SQL webhook_subscribed()', () => {
    expect(isSubscribed(['session.*'], 'session.rotated')).toBe(true);
    expect(isSubscribed(['session.*'], 'inbound.received')).toBe(false);
    expect(isSubscribed(['*'], 'pool.low_watermark')).toBe(true);
    expect(isSubscribed(['message.status'], 'message.inbound')).toBe(false);
  });
});

describe('webhooks jobs and settings', () => {
  it('jobs carry delivery ids only', () => {
    const id = '0190d5a4-0000-7000-8000-000000000001';
    expect(isWebhookJob({ deliveryIds: [id] })).toBe(true);
    expect(isWebhookJob({ deliveryIds: [id], url: 'https://x' })).toBe(false);
    expect(isWebhookJob({ deliveryIds: ['+447700900123'] })).toBe(false);
    expect(isWebhookJob({ deliveryIds: [] })).toBe(false);
  });

  it('parses the allowed ports and refuses nonsense', () => {
    expect(webhookConfigShape.WEBHOOK_ALLOWED_PORTS.parse(undefined)).toEqual([80, 443, 8080, 8443]);
    expect(webhookConfigShape.WEBHOOK_ALLOWED_PORTS.parse('443,9443')).toEqual([443, 9443]);
    expect(webhookConfigShape.WEBHOOK_ALLOWED_PORTS.safeParse('443,99999').success).toBe(false);
    expect(webhookConfigShape.WEBHOOK_ALLOWED_PORTS.safeParse('all').success).toBe(false);
    expect(webhookConfigShape.WEBHOOK_ALLOW_LOOPBACK.parse(undefined)).toBe('0');
  });
});
