import { describe, expect, it } from 'vitest';
import { Faults } from '../src/faults.js';

const run = (faults: Faults, n: number) => Array.from({ length: n }, () => faults.next());

describe('faults', () => {
  it('answers normally when none are set', () => {
    expect(run(new Faults(), 2)).toEqual([{ kind: 'answer' }, { kind: 'answer' }]);
  });

  it('consumes counts in order: drop, throttle, queue full, reject', () => {
    const faults = new Faults();
    faults.set({ dropResponses: 1, throttle: 1, queueFull: 1, rejectSubmits: { status: 0x45, count: 1 } });
    expect(run(faults, 5)).toEqual([
      { kind: 'drop' },
      { kind: 'status', status: 0x58 },
      { kind: 'status', status: 0x14 },
      { kind: 'status', status: 0x45 },
      { kind: 'answer' },
    ]);
    expect(faults.current()).toEqual({});
  });

  it('counts every submit towards disconnectAfter', () => {
    const faults = new Faults();
    faults.set({ disconnectAfter: 3, throttle: 5 });
    expect(run(faults, 4).map((a) => a.kind)).toEqual(['status', 'status', 'disconnect', 'status']);
    expect(faults.current()).toEqual({ throttle: 2 });
  });

  it('rejects every submit while rejectSubmits has no count', () => {
    const faults = new Faults();
    faults.set({ rejectSubmits: { status: 0x08 } });
    expect(run(faults, 3)).toEqual(Array(3).fill({ kind: 'status', status: 0x08 }));
  });

  it('throttles a fraction of submits with throttleRatio', () => {
    const draws = [0.1, 0.5, 0.29, 0.9];
    const faults = new Faults(() => draws.shift()!);
    faults.set({ throttleRatio: 0.3 });
    expect(run(faults, 4).map((a) => a.kind)).toEqual(['status', 'answer', 'status', 'answer']);
  });

  it('replaces the whole set, copies the input and validates it', () => {
    const faults = new Faults();
    const settings = { throttle: 2 };
    faults.set(settings);
    faults.next();
    expect(settings).toEqual({ throttle: 2 });
    faults.set({ queueFull: 1 });
    expect(faults.current()).toEqual({ queueFull: 1 });
    expect(() => faults.set({ throttle: -1 })).toThrow();
    expect(() => faults.set({ throttleRatio: 2 })).toThrow();
    expect(() => faults.set({ disconnectAfter: 0 })).toThrow();
    expect(() => faults.set({ rejectSubmits: { status: 0 } })).toThrow();
  });
});
