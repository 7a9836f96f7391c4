import { DependencyHealth, MasklineError, OutageTracker, silentLogger } from '@maskline/core';
import { isRedisUnavailable } from '@maskline/queues';
import { isPgUnavailable } from '@maskline/storage';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandling } from '../src/http/error-handler.js';

/** How thrown errors become answers; the process-level outage tests cover real failures. */
describe('ingest error handler', () => {
  const build = (thrown: unknown) => {
    const logged: string[] = [];
    const logger = { ...silentLogger, error: (_f: object, m: string) => void logged.push(m) };
    const pg = new OutageTracker('postgres', silentLogger);
    const redis = new OutageTracker('redis', silentLogger);
    const health = new DependencyHealth([
      { tracker: pg, isUnavailable: isPgUnavailable },
      { tracker: redis, isUnavailable: isRedisUnavailable },
    ]);
    const app = Fastify();
    installErrorHandling(app, logger, health);
    app.get('/x', async () => {
      throw thrown;
    });
    return { app, logged, pg, redis };
  };

  it('answers an unreachable dependency with 503, Retry-After and no internals, without a log line', async () => {
    const cases = [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection is closed.'),
    ];
    for (const thrown of cases) {
      const { app, logged } = build(thrown);
      const res = await app.inject({ method: 'GET', url: '/x' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json()).toEqual({
        error: { code: 'service_unavailable', message: 'The service is temporarily unavailable.' },
      });
      expect(logged).toEqual([]);
    }
  });

  it('marks the dependency the error names as down', async () => {
    const { app, pg, redis } = build(new Error('Connection is closed.'));
    await app.inject({ method: 'GET', url: '/x' });
    expect([pg.isDown, redis.isDown]).toEqual([false, true]);
  });

  it('keeps a client-side answer even when its cause is a connection error', async () => {
    const cause = Object.assign(new Error('x'), { code: 'ECONNRESET' });
    const { app } = build(new MasklineError('tenant_keys_destroyed', { cause }));
    const res = await app.inject({ method: 'GET', url: '/x' });
    expect(res.statusCode).toBe(410);
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it('gives any service_unavailable a Retry-After, and still logs a real internal error', async () => {
    const unavailable = build(new MasklineError('service_unavailable'));
    const res = await unavailable.app.inject({ method: 'GET', url: '/x' });
    expect([res.statusCode, res.headers['retry-after']]).toEqual([503, '1']);
    const bug = build(new Error('boom'));
    const internal = await bug.app.inject({ method: 'GET', url: '/x' });
    expect(internal.statusCode).toBe(500);
    expect(internal.body).not.toContain('boom');
    expect(bug.logged).toEqual(['request failed']);
  });
});
