import { MasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { RequestWindow } from '../src/session/request-window.js';

const settled = async (promise: Promise<unknown>) => {
  let state = 'pending';
  promise.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('RequestWindow', () => {
  it('grants up to size slots at once, then queues FIFO', async () => {
    const window = new RequestWindow(2, 10);
    await window.acquire();
    await window.acquire();
    expect(window.inUse).toBe(2);
    expect(window.hasFreeSlot).toBe(false);
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => window.acquire().then(() => order.push(n)));
    expect(window.queued).toBe(3);
    window.release();
    window.release();
    await Promise.all(waiters.slice(0, 2));
    expect(order).toEqual([1, 2]);
    window.release();
    await waiters[2];
    expect(order).toEqual([1, 2, 3]);
    expect(window.inUse).toBe(2);
  });

  it('refuses at once when the queue is full (bounded)', async () => {
    const window = new RequestWindow(1, 1);
    await window.acquire();
    const queued = window.acquire();
    const refused = await window.acquire().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MasklineError);
    expect((refused as MasklineError).code).toBe('carrier_unavailable');
    expect(await settled(queued)).toBe('pending');
  });

  it('drops an aborted waiter from the queue without taking a slot', async () => {
    const window = new RequestWindow(1, 5);
    await window.acquire();
    const controller = new AbortController();
    const aborted = window.acquire(controller.signal);
    const next = window.acquire();
    controller.abort();
    const error = (await aborted.catch((e: unknown) => e)) as MasklineError;
    expect(error.code).toBe('carrier_timeout');
    expect(window.queued).toBe(1);
    window.release();
    expect(await settled(next)).toBe('resolved');
    expect(window.inUse).toBe(1);
  });

  it('rejects an already-aborted signal without queueing', async () => {
    const window = new RequestWindow(1, 5);
    const controller = new AbortController();
    controller.abort();
    expect(await settled(window.acquire(controller.signal))).toBe('rejected');
    expect(window.inUse).toBe(0);
  });

  it('fails every waiter when the link goes down, keeping held slots', async () => {
    const window = new RequestWindow(1, 5);
    await window.acquire();
    const states = Promise.all([settled(window.acquire()), settled(window.acquire())]);
    window.failWaiters(() => new MasklineError('carrier_unavailable'));
    expect(await states).toEqual(['rejected', 'rejected']);
    expect(window.queued).toBe(0);
    expect(window.inUse).toBe(1);
  });

  it('drained() resolves when the last slot is released, or false after the bound', async () => {
    const window = new RequestWindow(2, 5);
    expect(await window.drained(10)).toBe(true);
    await window.acquire();
    expect(await window.drained(10)).toBe(false);
    const drained = window.drained(1000);
    window.release();
    expect(await drained).toBe(true);
  });
});
