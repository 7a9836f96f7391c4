import { createRedisConnection, LuaScript } from '@maskline/queues';
import { uniqueQueuePrefix } from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// A source no server has seen (its comment is unique to this run), so its first EVALSHA meets
// NOSCRIPT as on a fresh, restarted or failed-over server; no SCRIPT FLUSH on the shared Redis.
const INCR_BY = new LuaScript(`-- ${uniqueQueuePrefix()}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`);

/** The client, recording which script commands it was asked for (the calls go to the real server). */
function recording(redis: Redis, calls: string[]): Redis {
  return new Proxy(redis, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== 'eval' && property !== 'evalsha') return value;
      return (...args: unknown[]) => {
        calls.push(property);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe('LuaScript (real Redis)', () => {
  let redis: Redis;
  const key = `${uniqueQueuePrefix()}:lua`;

  beforeAll(() => {
    redis = createRedisConnection(inject('redisUrl'), 'producer') as Redis;
  });
  afterAll(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it('loads itself once with EVAL, then runs by its SHA1 only', async () => {
    const calls: string[] = [];
    const client = recording(redis, calls);
    expect(await INCR_BY.run(client, [key], [2])).toBe(2);
    expect(await INCR_BY.run(client, [key], [3])).toBe(5);
    expect(await INCR_BY.run(client, [key], [4])).toBe(9);
    // The first EVALSHA met NOSCRIPT and one EVAL loaded the script; the next calls found it.
    expect(calls).toEqual(['evalsha', 'eval', 'evalsha', 'evalsha']);
    expect(await redis.script('EXISTS', INCR_BY.sha)).toEqual([1]);
    expect(INCR_BY.sha).toBe(await redis.script('LOAD', INCR_BY.source));
  });

  it('passes a script error through', async () => {
    const broken = new LuaScript(`-- ${uniqueQueuePrefix()}\nreturn redis.call('NOSUCHCOMMAND')`);
    await expect(broken.run(redis, [key], [])).rejects.toThrow(/Unknown Redis command|unknown command/i);
  });
});
