import { describe, expect, it } from 'vitest';
import { LoadGate, loadAheadLimit } from '../src/delivery/load-gate.js';

describe('LoadGate', () => {
  it('grants what is free at once, then waiters oldest first as permits come back', async () => {
    const gate = new LoadGate(5);
    expect(await gate.take(3)).toBe(3);
    expect(await gate.take(10)).toBe(2);
    const granted: string[] = [];
    const first = gate.take(4).then((n) => granted.push(`first:${n}`));
    const second = gate.take(1).then((n) => granted.push(`second:${n}`));
    await Promise.resolve();
    expect(granted).toEqual([]);
    gate.release(2);
    await first;
    expect(granted).toEqual(['first:2']);
    gate.release();
    await second;
    expect(granted).toEqual(['first:2', 'second:1']);
    expect(gate.inUse).toBe(5);
  });

  it('sizes itself from the setting, else a few of the plugin windows', () => {
    expect(loadAheadLimit(7, 100)).toBe(7);
    expect(loadAheadLimit(undefined, 100)).toBe(400);
    expect(loadAheadLimit(undefined, 2)).toBe(32);
    expect(loadAheadLimit(undefined, undefined)).toBe(256);
    expect(() => new LoadGate(0)).toThrow(RangeError);
  });
});
