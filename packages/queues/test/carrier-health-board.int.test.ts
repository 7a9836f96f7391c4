import { uniqueQueuePrefix } from '@maskline/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CarrierHealthBoard, CarrierHealthCache } from '../src/index.js';

describe('shared carrier health (real Redis)', () => {
  const redis = new Redis(inject('redisUrl'));
  afterAll(() => redis.disconnect());

  it('shares each carrier’s state and capabilities; an unrefreshed key expires to unknown', async () => {
    const prefix = uniqueQueuePrefix();
    const writer = new CarrierHealthBoard(redis, prefix, 2_000);
    const cache = new CarrierHealthCache(new CarrierHealthBoard(redis, prefix), 50);
    expect(cache.healthOf('alpha')).toBe('unknown');
    await writer.publish('alpha', { state: 'down', unicode: false, concatenation: true });
    await writer.publish('beta', { state: 'up', unicode: true, concatenation: true });
    cache.healthOf('beta');
    await cache.refresh();
    expect(cache.healthOf('alpha')).toBe('down');
    expect(cache.healthOf('beta')).toBe('up');
    expect(cache.capabilitiesOf('alpha')).toEqual({ unicode: false, concatenation: true });
    expect(cache.healthOf('gamma')).toBe('unknown');
    // Nobody refreshes alpha: after its TTL it is unknown (eligible) again.
    await new Promise((r) => setTimeout(r, 2_100));
    await cache.refresh();
    expect(cache.healthOf('alpha')).toBe('unknown');
  });
});
