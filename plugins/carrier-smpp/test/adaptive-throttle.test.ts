import { carrierAnswerOf } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { AdaptiveThrottle } from '../src/session/adaptive-throttle.js';
import { RequestWindow } from '../src/session/request-window.js';
import { closeAfterEach, rejection, request, setup } from './support/harness.js';
import { eventually } from './support/wait.js';

describe('AdaptiveThrottle (AIMD)', () => {
  it('halves the window per throttling answer, never below 1, with a doubling pause', () => {
    let now = 0;
    const throttle = new AdaptiveThrottle(50, 100, 1000, 1e9, () => now);
    expect(throttle.window).toBe(50);
    expect(throttle.throttled()).toBe(100);
    expect(throttle.window).toBe(25);
    expect(throttle.delayMs()).toBe(100);
    expect(throttle.throttled()).toBe(200);
    expect(throttle.window).toBe(12);
    for (let i = 0; i < 10; i++) throttle.throttled();
    expect(throttle.window).toBe(1);
    expect(throttle.delayMs()).toBe(1000); // capped
    now = 1000;
    expect(throttle.delayMs()).toBe(0);
  });

  it('recovers additively: one slot per window of accepted submits, up to the configured size', () => {
    const throttle = new AdaptiveThrottle(10, 0, 0, 1e9);
    throttle.throttled();
    throttle.throttled(); // 2.5 → window 2
    expect(throttle.window).toBe(2);
    let accepted = 0;
    while (throttle.window < 3) {
      throttle.accepted();
      accepted++;
    }
    expect(accepted).toBe(2); // +1/2.5, +1/2.9: about one window's worth
    for (let i = 0; i < 1000; i++) throttle.accepted();
    expect(throttle.window).toBe(10);
    expect(throttle.slowed).toBe(false);
  });

  it('resets the pause doubling after an accepted submit', () => {
    const throttle = new AdaptiveThrottle(4, 10, 1000, 1e9);
    expect([throttle.throttled(), throttle.throttled(), throttle.throttled()]).toEqual([10, 20, 40]);
    throttle.accepted();
    expect(throttle.throttled()).toBe(10);
  });

  it('leaves the window and the bind pause alone when a resend is throttled again', () => {
    let now = 0;
    const throttle = new AdaptiveThrottle(10, 10, 80, 1e9, () => now);
    expect(throttle.throttled()).toBe(10);
    expect(throttle.window).toBe(5);
    const resendPauses = [1, 2, 3, 4, 5].map((attempt) => throttle.throttledAgain(attempt));
    expect(resendPauses).toEqual([20, 40, 80, 80, 80]); // this submit's own wait, capped
    expect(throttle.window).toBe(5);
    expect(throttle.delayMs()).toBe(10); // the bind's pause is not extended
    now = 10;
    expect(throttle.delayMs()).toBe(0);
  });

  it('grows the window back with time since the last throttling answer (the pause does not count)', () => {
    let now = 0;
    const throttle = new AdaptiveThrottle(10, 100, 100, 1000, () => now);
    for (let i = 0; i < 4; i++) throttle.throttled(); // 10 → 1, paused until 100
    expect(throttle.window).toBe(1);
    now = 100;
    expect(throttle.window).toBe(1); // still no quiet time
    now = 600; // 500 ms quiet: 10 slots per 1000 ms, 1 + 5
    expect(throttle.window).toBe(6);
    now = 1100;
    expect(throttle.window).toBe(10);
    expect(throttle.slowed).toBe(false);
    now = 5000;
    expect(throttle.window).toBe(10); // never above the configured size
  });
});

describe('RequestWindow.setLimit', () => {
  it('holds new submits while in-flight ones exceed a lowered limit, and grants waiters when it rises', async () => {
    const window = new RequestWindow(4, 10);
    for (let i = 0; i < 4; i++) await window.acquire();
    window.setLimit(2);
    expect(window.hasFreeSlot).toBe(false);
    let granted = 0;
    const waiters = [window.acquire(), window.acquire()].map((p) => p.then(() => granted++));
    window.release(); // 3 in use, limit 2: still no slot
    window.release(); // 2 in use
    await Promise.resolve();
    expect(granted).toBe(0);
    window.release(); // 1 in use → one waiter gets a slot
    await Promise.resolve();
    expect(granted).toBe(1);
    window.setLimit(10); // clamped to 4; the other waiter goes at once
    expect(window.limit).toBe(4);
    await Promise.all(waiters);
    expect(granted).toBe(2);
    expect(window.inUse).toBe(3);
  });
});

describe('throttling on a live bind', () => {
  closeAfterEach();

  it('halves the window on the first throttling answer only, resends, and recovers with accepted submits', async () => {
    let throttle = 2;
    const { plugin, smsc } = await setup(
      { onSubmit: () => (throttle-- > 0 ? { status: 0x58 } : {}) },
      { windowSize: 8, throttlePauseMinMs: 1, throttlePauseMaxMs: 2, throttleRecoveryMs: 600_000 },
    );
    const first = await plugin.submit(request);
    expect(first.carrierMessageId).toBe('msg-1'); // the third try, after two ESME_RTHROTTLED
    expect(smsc.commands('submit_sm')).toHaveLength(3);
    expect(plugin.health()).toEqual({
      status: 'up',
      detail: '1/1 binds up; slowed down by the SMSC (window 4/8)', // 8 → 4, the resend did not halve again
    });
    for (let i = 0; i < 5; i++) await plugin.submit(request);
    expect(plugin.health().detail).toMatch(/window 5\/8/);
    for (let i = 0; i < 40; i++) await plugin.submit(request);
    expect(plugin.health().detail).toBe('1/1 binds up');
  });

  it('keeps at most the lowered window outstanding while slowed down', async () => {
    let throttle = 3;
    const { plugin, smsc } = await setup(
      { onSubmit: () => (throttle-- > 0 ? { status: 0x14 } : { delayMs: 20 }) },
      {
        windowSize: 8,
        throttleRetries: 0,
        throttlePauseMinMs: 1,
        throttlePauseMaxMs: 2,
        throttleRecoveryMs: 600_000,
      },
    );
    for (let i = 0; i < 3; i++)
      expect((await rejection(plugin.submit(request))).code).toBe('carrier_throttled');
    expect(plugin.health().detail).toContain('window 1/8'); // three submits throttled: 8 → 4 → 2 → 1
    smsc.maxOutstanding = 0;
    await Promise.all(Array.from({ length: 6 }, () => plugin.submit(request)));
    expect(smsc.maxOutstanding).toBeLessThanOrEqual(2);
  });

  it('one destination throttled forever: the others keep the full window, the stuck one ends carrier_throttled with the answer', async () => {
    const stuckTo = '+447700900999';
    let stuckArrivals = 0;
    let othersMaxOutstanding = 0;
    const { plugin, smsc } = await setup(
      {
        onSubmit: (pdu) => {
          if (pdu.destination_addr === stuckTo.slice(1)) {
            stuckArrivals++;
            return { status: 0x58 };
          }
          // Between a resend of the stuck message (the plugin has seen a throttling answer)
          // and its last try: how many are in flight at the SMSC, this one included.
          const ofAttempt = ((stuckArrivals - 1) % 6) + 1;
          if (ofAttempt >= 2 && ofAttempt < 6)
            othersMaxOutstanding = Math.max(othersMaxOutstanding, smsc.outstanding + 1);
          return { delayMs: 2 };
        },
      },
      {
        windowSize: 8,
        throttleRetries: 5,
        throttlePauseMinMs: 2,
        throttlePauseMaxMs: 10,
        throttleRecoveryMs: 600_000,
      },
    );
    let accepted = 0;
    let stuckDone = false;
    // The host: 8 concurrent jobs for other destinations, and the stuck message retried
    // (a job attempt each) after every 16 accepted others, three attempts in all.
    const others = Array.from({ length: 8 }, async () => {
      while (!stuckDone) {
        await plugin.submit(request);
        accepted++;
      }
    });
    const attempts = [];
    const windows: number[] = [];
    const windowOf = (detail = '') => Number(/window (\d+)\//.exec(detail)?.[1] ?? 8);
    for (let attempt = 0; attempt < 3; attempt++) {
      const from = accepted;
      await eventually(() => accepted >= from + 16, 10_000);
      attempts.push(await rejection(plugin.submit({ ...request, to: stuckTo })));
      windows.push(windowOf(plugin.health().detail));
    }
    stuckDone = true;
    await Promise.all(others);

    for (const error of attempts) {
      expect(error.code).toBe('carrier_throttled');
      expect(error.retry).toBe('retry_after');
      expect(error.retryAfterMs).toBe(1000);
      expect(carrierAnswerOf(error)).toEqual({ code: '0x00000058', name: 'ESME_RTHROTTLED' });
      expect(error.details).toMatchObject({ smppCommandStatus: 0x58 });
    }
    const stuckSubmits = smsc.commands('submit_sm').filter((p) => p.destination_addr === stuckTo.slice(1));
    expect(stuckSubmits).toHaveLength(3 * 6); // each attempt: the first try and 5 resends
    // While it was being throttled the others still reached the configured window …
    // One halving per job attempt, not one per resend: never pinned at 1.
    expect(
      windows.every((window) => window >= 4),
      `windows ${windows}`,
    ).toBe(true);
    expect(othersMaxOutstanding).toBe(8);
    // … and 16 more accepted submits bring the window back to its configured size.
    for (let i = 0; i < 2; i++) await Promise.all(Array.from({ length: 8 }, () => plugin.submit(request)));
    expect(plugin.health()).toEqual({ status: 'up', detail: '1/1 binds up' });
  });
});
