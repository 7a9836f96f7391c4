import { Redis, type RedisOptions } from 'ioredis';

/**
 * ioredis connections as BullMQ wants them. Workers need maxRetriesPerRequest: null (a
 * blocking command must wait through a reconnect); producers fail fast instead so an
 * HTTP request is not held while Redis is away.
 */
export function createRedisConnection(url: string, role: 'producer' | 'worker'): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    enableReadyCheck: true,
    enableAutoPipelining: true,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 5_000),
    lazyConnect: false,
  };
  const redis = new Redis(url, options);
  // Connection errors are retried by ioredis; without a listener they would be thrown.
  redis.on('error', () => {});
  return redis;
}
