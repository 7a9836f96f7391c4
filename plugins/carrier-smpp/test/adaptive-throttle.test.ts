import { describe, expect, it } from 'vitest';
import { AdaptiveThrottle } from '../src/session/adaptive-throttle.js';
import { RequestWindow } from '../src/session/request-window.js';
import { closeAfterEach, request, setup } from './support/harness.js';

describe('AdaptiveThrottle (AIMD)', () => {
  it('halves the window per throttling answer, never below 1, with a doubling pause', () => {
    let now = 0;
    const throttle = new AdaptiveThrottle(50, 100, 1000, () => now);
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
    const throttle = new AdaptiveThrottle(10, 0, 0);
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
    const throttle = new AdaptiveThrottle(4, 10, 1000);
    expect([throttle.throttled(), throttle.throttled(), throttle.throttled()]).toEqual([10, 20, 40]);
    throttle.accepted();
    expect(throttle.throttled()).toBe(10);
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

  it('halves the window per throttling answer, resends, and recovers it with accepted submits', async () => {
    let throttle = 2;
    const { plugin, smsc } = await setup(
      { onSubmit: () => (throttle-- > 0 ? { status: 0x58 } : {}) },
      { windowSize: 8, throttlePauseMinMs: 1, throttlePauseMaxMs: 2 },
    );
    const first = await plugin.submit(request);
    expect(first.carrierMessageId).toBe('msg-1'); // the third try, after two ESME_RTHROTTLED
    expect(smsc.commands('submit_sm')).toHaveLength(3);
    expect(plugin.health()).toEqual({
      status: 'up',
      detail: '1/1 binds up; slowed down by the SMSC (window 2/8)',
    });
    for (let i = 0; i < 5; i++) await plugin.submit(request);
    expect(plugin.health().detail).toMatch(/window [34]\/8/);
    for (let i = 0; i < 40; i++) await plugin.submit(request);
    expect(plugin.health().detail).toBe('1/1 binds up');
  });

  it('keeps at most the lowered window outstanding while slowed down', async () => {
    let throttle = 3;
    const { plugin, smsc } = await setup(
      { onSubmit: () => (throttle-- > 0 ? { status: 0x14 } : { delayMs: 20 }) },
      { windowSize: 8, throttlePauseMinMs: 1, throttlePauseMaxMs: 2 },
    );
    await plugin.submit(request); // 8 → 4 → 2 → 1
    smsc.maxOutstanding = 0;
    await Promise.all(Array.from({ length: 6 }, () => plugin.submit(request)));
    expect(smsc.maxOutstanding).toBeLessThanOrEqual(2);
  });
});
