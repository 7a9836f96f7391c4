import { createRedisConnection } from '@maskline/queues';
import { ApiKeyRepository } from '@maskline/storage';
import { CuttableLink, countStatements, seedTenant, TEST_PEPPER } from '@maskline/testing';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { RequestLimits } from '../src/rate-limits/request-limits.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NO_MESSAGE = '/v1/messages/00000000-0000-7000-8000-000000000000';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A key of the seeded shape that no tenant has: it costs a digest and a query today. */
function unknownKeyLike(apiKey: string): string {
  const last = apiKey.at(-1) === 'a' ? 'b' : 'a';
  return `${apiKey.slice(0, -1)}${last}`;
}

function recordingLogger() {
  const lines: string[] = [];
  const log = (fields: object, message: string) => void lines.push(`${message} ${JSON.stringify(fields)}`);
  const logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return { lines, logger };
}

describe('request limits per key, tenant and destination (real Redis and PostgreSQL)', () => {
  let t: TestApp;
  const log = recordingLogger();
  const get = (apiKey: string) =>
    t.app.inject({ method: 'GET', url: NO_MESSAGE, headers: { authorization: `Bearer ${apiKey}` } });
  const send = (apiKey: string, to: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${apiKey}` },
      payload: { to, from: 'Maskline', body: 'limits' },
    });

  beforeAll(async () => {
    t = await startTestApp({
      rateLimitPerMinute: 5,
      tenantRateLimitPerMinute: 8,
      destinationRateLimitPerMinute: 2,
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('advertises the policies and what is left on every answer, not only on a 429', async () => {
    const { apiKey } = await new ApiKeyRepository(t.db.pool, TEST_PEPPER).create(t.tenantId, 'headers');
    const res = await get(apiKey);
    expect(res.statusCode).toBe(404);
    expect(res.headers['ratelimit-policy']).toBe('"key";q=5;w=60, "tenant";q=8;w=60');
    expect(res.headers.ratelimit).toMatch(/^"key";r=4;t=(60|59), "tenant";r=\d;t=\d+$/);
  });

  it('answers 429 rate_limited naming the key limit, with Retry-After matching the reset', async () => {
    const { apiKey } = await seedTenant(t.db.pool, 'key limit');
    const statuses: number[] = [];
    let last = await get(apiKey);
    statuses.push(last.statusCode);
    for (let i = 0; i < 6; i++) {
      last = await get(apiKey);
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429]);
    expect(last.json()).toEqual({
      error: { code: 'rate_limited', message: expect.any(String), details: { limit: 'key' } },
    });
    const retryAfter = Number(last.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(last.headers.ratelimit).toContain(`"key";r=0;t=${retryAfter}`);
  });

  it('holds all keys of a tenant to the tenant limit', async () => {
    const { tenantId } = await seedTenant(t.db.pool, 'tenant limit');
    const keys = new ApiKeyRepository(t.db.pool, TEST_PEPPER);
    const a = (await keys.create(tenantId, 'a')).apiKey;
    const b = (await keys.create(tenantId, 'b')).apiKey;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(a)).statusCode);
    for (let i = 0; i < 3; i++) statuses.push((await get(b)).statusCode);
    const refused = await get(b);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404, 404]);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.details).toEqual({ limit: 'tenant' });
    // The refused request used nothing up: b's own window still has 2 left.
    expect(refused.headers.ratelimit).toMatch(/"key";r=2;/);
  });

  it('limits sends per destination number, keyed by a hash that never shows the number', async () => {
    const { apiKey } = await new ApiKeyRepository(t.db.pool, TEST_PEPPER).create(t.tenantId, 'dest');
    const number = '+447911123456';
    const first = await send(apiKey, number);
    expect(first.statusCode).toBe(202);
    expect(first.headers['ratelimit-policy']).toContain('"destination";q=2;w=60');
    expect((await send(apiKey, number)).statusCode).toBe(202);
    const refused = await send(apiKey, number);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.details).toEqual({ limit: 'destination' });
    expect(refused.body).not.toContain('7911123456');
    // Another number is not held back by this one.
    expect((await send(apiKey, '+447911123457')).statusCode).toBe(202);

    const keys = await t.redis.keys(`${t.queuePrefix}-ratelimit:*`);
    expect(keys.some((k) => k.includes(':destination:'))).toBe(true);
    expect(keys.join('\n')).not.toMatch(/7911123456|7911123457/);
    expect(log.lines.join('\n')).not.toMatch(/7911123456|7911123457/);
  });

  it('costs one Redis command per request for all its limits', async () => {
    const { apiKey } = await new ApiKeyRepository(t.db.pool, TEST_PEPPER).create(t.tenantId, 'round trips');
    // The earlier tests' deliver jobs go out on this connection after their answers.
    await t.flushJobs();
    const commands: string[] = [];
    const redis = t.redis as unknown as { sendCommand: (command: { name: string }) => unknown };
    const original = redis.sendCommand.bind(redis);
    redis.sendCommand = (command) => {
      commands.push(command.name);
      return original(command);
    };
    try {
      const res = await get(apiKey);
      expect(res.headers['ratelimit-policy']).toContain('"tenant"');
    } finally {
      redis.sendCommand = original;
    }
    expect(commands.length).toBe(1);
    expect(commands[0]).toMatch(/^eval/);
  });

  it('gives a window key its expiry on the first count, and one left without an expiry gets it back', async () => {
    const limits = new RequestLimits(t.redis, `${t.queuePrefix}-ttl`);
    const window = { name: 'key' as const, id: 'ttl', limit: 10, windowMs: 60_000 };
    const key = `${t.queuePrefix}-ttl:{tenant-ttl}:key:ttl`;
    const first = await limits.take('tenant-ttl', [window]);
    expect(first.states[0]).toMatchObject({ remaining: 9, resetMs: 60_000 });
    const ttl = await t.redis.pttl(key);
    expect(ttl).toBeGreaterThan(59_000);
    // A counted key keeps the expiry its window started with (a later count does not push it).
    await sleep(20);
    await limits.take('tenant-ttl', [window]);
    expect(await t.redis.pttl(key)).toBeLessThan(ttl);
    // Left without an expiry (PERSIST, a restore, a hand edit): the next count sets it again.
    await t.redis.persist(key);
    expect(await t.redis.pttl(key)).toBe(-1);
    const third = await limits.take('tenant-ttl', [window]);
    expect(third.states[0]).toMatchObject({ remaining: 7 });
    expect(await t.redis.pttl(key)).toBeGreaterThan(59_000);
  });

  it('counts atomically across replicas: concurrent takes through two limiters admit exactly the limit', async () => {
    const other = createRedisConnection(inject('redisUrl'), 'producer');
    try {
      if (other.status !== 'ready') await new Promise((resolve) => other.once('ready', resolve));
      const replicas = [
        new RequestLimits(t.redis, `${t.queuePrefix}-race`),
        new RequestLimits(other, `${t.queuePrefix}-race`),
      ];
      const window = { name: 'key' as const, id: 'race', limit: 20, windowMs: 60_000 };
      const decisions = await Promise.all(
        Array.from({ length: 60 }, (_, i) => replicas[i % 2]?.take('tenant-race', [window])),
      );
      expect(decisions.filter((d) => d && !d.refusedBy)).toHaveLength(20);
    } finally {
      other.disconnect();
    }
  });
});

describe('authentication failures throttled per client address', () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  it('answers 429 auth_rate_limited after the limit, without touching PostgreSQL', async () => {
    t = await startTestApp({ rateLimitPerMinute: 1000, authFailureLimitPerMinute: 3 });
    const statements = countStatements(t.db.pool);
    const bad = unknownKeyLike(t.apiKey);
    const guess = () =>
      t.app.inject({ method: 'GET', url: NO_MESSAGE, headers: { authorization: `Bearer ${bad}` } });
    const before = statements();
    const answers = [await guess(), await guess(), await guess()];
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 401]);
    expect(statements() - before).toBe(3);

    const throttled = statements();
    const refused = await guess();
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({ error: { code: 'auth_rate_limited', message: expect.any(String) } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right key is refused from this address until the window ends: nothing is looked up.
    const good = await t.app.inject({
      method: 'GET',
      url: NO_MESSAGE,
      headers: { authorization: `Bearer ${t.apiKey}` },
    });
    expect(good.statusCode).toBe(429);
    expect(statements()).toBe(throttled);
  });

  it('reads the address from X-Forwarded-For only with TRUST_PROXY', async () => {
    t = await startTestApp({ rateLimitPerMinute: 1000, authFailureLimitPerMinute: 2, trustProxy: 'true' });
    const bad = unknownKeyLike(t.apiKey);
    const from = (address: string) =>
      t.app.inject({
        method: 'GET',
        url: NO_MESSAGE,
        headers: { authorization: `Bearer ${bad}`, 'x-forwarded-for': address },
      });
    expect([(await from('203.0.113.1')).statusCode, (await from('203.0.113.1')).statusCode]).toEqual([
      401, 401,
    ]);
    expect((await from('203.0.113.1')).statusCode).toBe(429);
    expect((await from('203.0.113.2')).statusCode).toBe(401);
    await t.close();

    t = await startTestApp({ rateLimitPerMinute: 1000, authFailureLimitPerMinute: 2 });
    const spoofed = (address: string) =>
      t.app.inject({
        method: 'GET',
        url: NO_MESSAGE,
        headers: { authorization: `Bearer ${unknownKeyLike(t.apiKey)}`, 'x-forwarded-for': address },
      });
    expect([(await spoofed('198.51.100.1')).statusCode, (await spoofed('198.51.100.2')).statusCode]).toEqual([
      401, 401,
    ]);
    // Off by default: a forged header does not give a guesser a fresh address.
    expect((await spoofed('198.51.100.3')).statusCode).toBe(429);
  });
});

describe('rate limits while Redis is unreachable', () => {
  let link: CuttableLink;
  let t: TestApp;
  const { lines, logger } = recordingLogger();

  beforeAll(async () => {
    const redis = new URL(inject('redisUrl'));
    link = await new CuttableLink(redis.hostname, Number(redis.port)).open();
    redis.port = String(link.port);
    t = await startTestApp({
      rateLimitPerMinute: 2,
      authFailureLimitPerMinute: 2,
      redisUrl: redis.toString(),
      trustProxy: 'true',
      logger,
    });
  });
  let restored = true;
  afterAll(async () => {
    if (!restored) await link?.restore();
    await t?.close();
    await link?.close();
  });

  it('serves requests unlimited (fail open), still throttles auth failures in-process, logs once each way', async () => {
    const get = (apiKey: string) =>
      t.app.inject({ method: 'GET', url: NO_MESSAGE, headers: { authorization: `Bearer ${apiKey}` } });
    expect((await get(t.apiKey)).headers['ratelimit-policy']).toBe('"key";q=2;w=60');
    await link.cut();
    restored = false;
    const started = Date.now();
    const during = [];
    for (let i = 0; i < 4; i++) during.push(await get(t.apiKey));
    expect(during.map((r) => r.statusCode)).toEqual([404, 404, 404, 404]);
    expect(during.every((r) => r.headers['ratelimit-policy'] === undefined)).toBe(true);

    const bad = unknownKeyLike(t.apiKey);
    const guess = () =>
      t.app.inject({
        method: 'GET',
        url: NO_MESSAGE,
        headers: { authorization: `Bearer ${bad}`, 'x-forwarded-for': '192.0.2.7' },
      });
    const guesses = [];
    for (let i = 0; i < 3; i++) guesses.push((await guess()).statusCode);
    expect(guesses).toEqual([401, 401, 429]);
    // Not held for ioredis' reconnect attempts: the outage costs no waiting per request.
    expect(Date.now() - started).toBeLessThan(3_000);

    await link.restore();
    restored = true;
    const deadline = Date.now() + 15_000;
    let after = await get(t.apiKey);
    while (after.headers['ratelimit-policy'] === undefined && Date.now() < deadline) {
      await sleep(100);
      after = await get(t.apiKey);
    }
    expect(after.headers['ratelimit-policy']).toBe('"key";q=2;w=60');
    expect(lines.filter((l) => l.startsWith('rate limits degraded'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('rate limits enforced again'))).toHaveLength(1);
    expect(lines.join('\n')).not.toContain(bad);
  });
});
