import type { OutageTracker } from '@maskline/core';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * ioredis connections as BullMQ wants them. Workers need maxRetriesPerRequest: null (a
 * blocking command must wait through a reconnect); producers fail fast instead so an
 * HTTP request is not held while Redis is away.
 *
 * `monitor` hears every connection error and every (re)connect, so a Redis outage is
 * logged and counted once per state change instead of being swallowed.
 */
export function createRedisConnection(
  url: string,
  role: 'producer' | 'worker',
  monitor?: Pick<OutageTracker, 'failed' | 'succeeded'>,
): Redis {
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
  redis.on('error', (error: unknown) => monitor?.failed(error));
  // 'ready' is the only success ioredis reports: it proves recovery at once.
  if (monitor) redis.on('ready', () => monitor.succeeded(true));
  return redis;
}

/**
 * ioredis and Redis errors that mean "Redis cannot serve now", not "this command is wrong".
 * Socket codes (ECONNREFUSED, ...) are left to the connection's 'error' event: a command
 * sent while Redis is away fails with one of these, and a bare socket code could as well
 * come from PostgreSQL.
 */
const REDIS_UNAVAILABLE_MESSAGES = [
  'Connection is closed',
  'Reached the max retries per request limit',
  "Stream isn't writeable",
  'LOADING',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'READONLY',
];

export function isRedisUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (name === 'MaxRetriesPerRequestError') return true;
  return typeof message === 'string' && REDIS_UNAVAILABLE_MESSAGES.some((m) => message.startsWith(m));
}
