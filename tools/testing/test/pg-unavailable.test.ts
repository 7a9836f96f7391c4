import { isPgUnavailable } from '@maskline/storage';
import { describe, expect, it } from 'vitest';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('telling an unreachable PostgreSQL from a failed statement', () => {
  it('PostgreSQL: socket errors, 08xxx, 57P01/57P02/57P03/53300 and pg’s connection messages', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'ETIMEDOUT',
      '57P01',
      '57P03',
      '08006',
      '08001',
      '53300',
    ])
      expect(isPgUnavailable(withCode(code)), code).toBe(true);
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
      'Client has encountered a connection error and is not queryable',
    ])
      expect(isPgUnavailable(new Error(message)), message).toBe(true);
    for (const code of ['23505', '42P01', '22P02', '40001', 'tenant_keys_destroyed'])
      expect(isPgUnavailable(withCode(code)), code).toBe(false);
    expect(isPgUnavailable(new Error('boom'))).toBe(false);
    expect(isPgUnavailable(null)).toBe(false);
  });
});
