import { describe, expect, it } from 'vitest';
import { Timers } from '../src/timers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Timers', () => {
  it('runs callbacks due in the same millisecond in order, from one timer, one failing without stopping the rest', async () => {
    const errors: unknown[] = [];
    const timers = new Timers(
      (e) => errors.push(e),
      () => 1000,
    );
    const ran: number[] = [];
    timers.after(5, () => ran.push(1));
    timers.after(5, () => {
      throw new Error('boom');
    });
    timers.after(5, () => ran.push(3));
    timers.after(0, () => ran.push(0)); // at once
    expect(ran).toEqual([0]);
    await sleep(30);
    expect(ran).toEqual([0, 1, 3]);
    expect(errors).toHaveLength(1);
  });

  it('clear() cancels everything pending', async () => {
    const timers = new Timers(() => {});
    let ran = 0;
    timers.after(5, () => ran++);
    timers.after(7, () => ran++);
    timers.clear();
    await sleep(30);
    expect(ran).toBe(0);
  });
});
