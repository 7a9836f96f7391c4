import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, LinkMonitor } from '../src/session/link-monitor.js';

describe('backoffDelay', () => {
  it('doubles from the minimum and caps at the maximum', () => {
    const top = () => 1; // no jitter reduction
    expect([0, 1, 2, 3, 10, 100].map((n) => backoffDelay(n, 500, 30_000, top))).toEqual([
      500, 1000, 2000, 4000, 30_000, 30_000,
    ]);
  });

  it('jitters between 50 % and 100 % of the step', () => {
    expect(backoffDelay(2, 500, 30_000, () => 0)).toBe(1000);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(3, 500, 30_000);
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });
});

describe('LinkMonitor', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pings every interval and declares the link dead once a ping fails', async () => {
    vi.useFakeTimers();
    let pings = 0;
    let answer = true;
    const onDead = vi.fn();
    const monitor = new LinkMonitor(
      100,
      () => {
        pings++;
        return answer ? Promise.resolve() : Promise.reject(new Error('no enquire_link_resp'));
      },
      onDead,
    );
    monitor.start();
    await vi.advanceTimersByTimeAsync(250);
    expect(pings).toBe(2);
    expect(onDead).not.toHaveBeenCalled();
    answer = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(onDead).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(pings).toBe(3); // stopped after declaring the link dead
    expect(onDead).toHaveBeenCalledTimes(1);
  });

  it('sends no second ping while one is outstanding, and nothing after stop()', async () => {
    vi.useFakeTimers();
    let pings = 0;
    const monitor = new LinkMonitor(
      100,
      () => {
        pings++;
        return new Promise(() => {});
      },
      () => {},
    );
    monitor.start();
    await vi.advanceTimersByTimeAsync(450);
    expect(pings).toBe(1);
    monitor.stop();
    await vi.advanceTimersByTimeAsync(450);
    expect(pings).toBe(1);
  });
});
