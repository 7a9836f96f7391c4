import { describe, expect, it } from 'vitest';
import { closedLoop, emptyCounters, openLoop, waitForFinal } from '../src/load.js';

describe('closedLoop', () => {
  it('keeps at most C requests in flight and records each one', async () => {
    let inFlight = 0;
    let most = 0;
    const counters = emptyCounters();
    const outcomes = await closedLoop(
      20,
      4,
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        if (i === 3) throw new Error('network');
        return i % 5 !== 0;
      },
      counters,
    );
    expect(most).toBe(4);
    expect(outcomes).toHaveLength(20);
    expect(counters).toMatchObject({ sent: 20, accepted: 15 }); // 0, 5, 10, 15 refused; 3 failed
    expect(outcomes[3]!.accepted).toBe(false);
    expect(outcomes.every((o) => o.at >= o.sentAt && o.latencyMs >= 0)).toBe(true);
  });
});

describe('openLoop', () => {
  it('sends at the rate and skips when too many are in flight', async () => {
    const counters = emptyCounters();
    const started = Date.now();
    const outcomes = await openLoop(
      100,
      0.2,
      2,
      () => new Promise((r) => setTimeout(() => r(true), 35)),
      counters,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(outcomes).toHaveLength(20);
    expect(counters.sent).toBe(20);
    expect(counters.skipped).toBeGreaterThan(5);
    expect(counters.accepted + counters.skipped).toBe(20);
  });
});

describe('waitForFinal', () => {
  it('returns once sending is done and every accepted message is final', async () => {
    let final = 0;
    const result = await waitForFinal(
      () => ({ final: ++final }),
      () => 2,
      () => true,
      10_000,
    );
    expect(result).toBe('done');
  });

  it('gives up when nothing moves', async () => {
    const result = await waitForFinal(
      () => ({ final: 1 }),
      () => 2,
      () => true,
      10_000,
      600,
    );
    expect(result).toBe('stalled');
  });
});
