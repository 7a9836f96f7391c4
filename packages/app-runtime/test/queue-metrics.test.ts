import { afterEach, describe, expect, it } from 'vitest';
import { type ObservedQueue, observeQueues } from '../src/metrics/queue-metrics.js';
import { registerFakeMeter } from './fake-meter.js';

function queue(name: string, counts: Record<string, number>, oldest?: number): ObservedQueue {
  return {
    name,
    getJobCounts: async () => counts,
    getJobs: async (states, start, end, asc) => {
      expect([states, start, end, asc]).toEqual([['wait'], 0, 0, true]); // the oldest waiting job only
      return oldest === undefined ? [] : [{ timestamp: oldest }];
    },
  };
}

describe('observeQueues', () => {
  let restore = () => {};
  afterEach(() => restore());

  it('reports job counts per state and the oldest waiting job’s age per queue', async () => {
    const meter = registerFakeMeter();
    restore = meter.restore;
    const unobserve = observeQueues(
      [queue('deliver-sim', { waiting: 7, delayed: 2, active: 3 }, 10_000), queue('webhooks', {})],
      () => 12_500,
    );
    const seen = await meter.collect();
    expect(seen).toContainEqual({
      name: 'maskline.queue.jobs',
      value: 7,
      attributes: { queue: 'deliver-sim', state: 'waiting' },
    });
    expect(seen).toContainEqual({
      name: 'maskline.queue.jobs',
      value: 0,
      attributes: { queue: 'deliver-sim', state: 'failed' },
    });
    expect(seen).toContainEqual({
      name: 'maskline.queue.oldest_job.age',
      value: 2.5,
      attributes: { queue: 'deliver-sim' },
    });
    expect(seen).toContainEqual({
      name: 'maskline.queue.oldest_job.age',
      value: 0,
      attributes: { queue: 'webhooks' },
    });
    unobserve();
    expect(meter.callbacks()).toBe(0);
  });

  it('reports nothing for a queue it cannot read, and the others still', async () => {
    const meter = registerFakeMeter();
    restore = meter.restore;
    const broken: ObservedQueue = {
      name: 'carrier-events',
      getJobCounts: async () => {
        throw new Error('Connection is closed.');
      },
      getJobs: async () => [],
    };
    observeQueues([broken, queue('webhooks', { waiting: 1 })]);
    const seen = await meter.collect();
    expect(seen.some((s) => s.attributes.queue === 'carrier-events')).toBe(false);
    expect(seen).toContainEqual({
      name: 'maskline.queue.jobs',
      value: 1,
      attributes: { queue: 'webhooks', state: 'waiting' },
    });
  });
});
