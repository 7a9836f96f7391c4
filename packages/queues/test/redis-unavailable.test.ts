import { describe, expect, it } from 'vitest';
import { isRedisUnavailable } from '../src/redis-connection.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('telling an unreachable Redis from a failed command', () => {
  it('Redis: closed connection, retries exhausted, LOADING/MASTERDOWN/READONLY replies', () => {
    expect(isRedisUnavailable(new Error('Connection is closed.'))).toBe(true);
    expect(
      isRedisUnavailable(
        Object.assign(new Error('Reached the max retries per request limit (which is 2).'), {
          name: 'MaxRetriesPerRequestError',
        }),
      ),
    ).toBe(true);
    expect(isRedisUnavailable(new Error('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isRedisUnavailable(new Error('READONLY You can’t write against a read only replica.'))).toBe(true);
    expect(
      isRedisUnavailable(new Error('WRONGTYPE Operation against a key holding the wrong kind of value')),
    ).toBe(false);
    // A bare socket code is left to the PostgreSQL check and the connection's own monitor.
    expect(isRedisUnavailable(withCode('ECONNREFUSED'))).toBe(false);
  });
});
