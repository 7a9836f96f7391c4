import { describe, expect, it } from 'vitest';
import { InFlight } from '../src/batching/in-flight.js';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('InFlight', () => {
  it('keeps a promise until it settles and hands back its outcome unchanged', async () => {
    const work = new InFlight();
    const ok = deferred<number>();
    const failing = deferred<number>();
    const tracked = work.track(ok.promise);
    const trackedFailure = work.track(failing.promise);
    expect(work.size).toBe(2);
    ok.resolve(7);
    failing.reject(new Error('boom'));
    await expect(tracked).resolves.toBe(7);
    await expect(trackedFailure).rejects.toThrow('boom');
    await work.settled();
    expect(work.size).toBe(0);
  });

  it('settled waits for what was tracked so far and never rejects', async () => {
    const work = new InFlight();
    const first = deferred();
    void work.track(first.promise).catch(() => {});
    let done = false;
    const settled = work.settled().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    first.reject(new Error('gone'));
    await settled;
    expect(done).toBe(true);
  });

  it('drain also waits for work tracked while it waits', async () => {
    const work = new InFlight();
    const first = deferred();
    const second = deferred();
    void work.track(first.promise);
    let drained = false;
    const draining = work.drain().then(() => (drained = true));
    void work.track(second.promise);
    first.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    second.resolve();
    await draining;
    expect(work.size).toBe(0);
  });

  it('drain of nothing resolves at once', async () => {
    await expect(new InFlight().drain()).resolves.toBeUndefined();
  });
});
