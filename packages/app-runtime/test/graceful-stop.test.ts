import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { onStopSignals } from '../src/lifecycle/graceful-stop.js';

function setup(stop: () => Promise<void>) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const lines: string[] = [];
  const log = (_fields: object, message: string) => void lines.push(message);
  onStopSignals({
    name: 'test app',
    logger: { info: log, error: log },
    deadlineMs: 1_000,
    stop,
    exit: (code) => void exits.push(code),
    signals,
  });
  return { signals, exits, lines };
}

describe('onStopSignals', () => {
  afterEach(() => void vi.useRealTimers());

  it('runs stop once on SIGTERM and exits 0 when it finished', async () => {
    const stop = vi.fn(async () => {});
    const { signals, exits, lines } = setup(stop);
    signals.emit('SIGTERM');
    signals.emit('SIGINT');
    await vi.waitFor(() => expect(exits).toEqual([0]));
    expect(stop).toHaveBeenCalledTimes(1);
    expect(lines).toEqual(['test app stopping']);
  });

  it('exits 1 at the deadline when the drain hangs', async () => {
    vi.useFakeTimers();
    const { signals, exits, lines } = setup(() => new Promise<void>(() => {}));
    signals.emit('SIGINT');
    await vi.advanceTimersByTimeAsync(999);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(exits).toEqual([1]);
    expect(lines).toContain('test app did not stop in time; exiting');
  });

  it('exits 1 when stop fails', async () => {
    const { signals, exits } = setup(async () => {
      throw new Error('boom');
    });
    signals.emit('SIGTERM');
    await vi.waitFor(() => expect(exits).toEqual([1]));
  });
});
