import { API_KEY_SCOPES } from '@maskline/core';
import { createRedisConnection } from '@maskline/queues';
import { ApiKeyRepository } from '@maskline/storage';
import { createTestDatabase, seedTenant, TEST_PEPPER, type TestDatabase } from '@maskline/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiKeyAuth } from '../src/auth/api-key-auth.js';
import { CachedApiKeyAuthenticator } from '../src/auth/api-key-cache.js';
import {
  PUBLIC_ROUTES,
  requireRouteScopes,
  requireV1RoutesListed,
  scopeFor,
} from '../src/auth/route-scopes.js';
import { registeredRoutes } from './support/route-list.js';
import { routeTreeApp } from './support/route-tree-app.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const SOME_ID = '0190a0b0-0000-7000-8000-000000000000';

/**
 * Every /v1 route of the full app (every optional route group on, see routeTreeApp)
 * requires a scope, enforced before its handler: the route handlers here are never reached,
 * so their dependencies are placeholders. Auth and rate limiting run on real PG and Redis.
 */
describe('every /v1 route requires a scope (real PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let redis: Redis;
  let app: FastifyInstance;
  let noScopeKey: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    const { tenantId } = await seedTenant(db.pool);
    const keys = new ApiKeyRepository(db.pool, TEST_PEPPER);
    noScopeKey = (await keys.createKey({ tenantId, name: 'no scopes', scopes: [] })).apiKey;
    app = await routeTreeApp(db, redis, keys);
  });
  afterAll(async () => {
    await app.close();
    redis.disconnect();
    await db.drop();
  });

  it('answers 403 forbidden naming the route’s scope, for every registered /v1 route', async () => {
    const routes = registeredRoutes(app).filter(
      (r) =>
        r.url.startsWith('/v1/') && r.method !== 'HEAD' && !PUBLIC_ROUTES.includes(`${r.method} ${r.url}`),
    );
    // Sanity: the walk sees the whole API, not an empty tree.
    expect(routes.length).toBeGreaterThanOrEqual(38);
    for (const { method, url } of routes) {
      const scope = scopeFor(method, url);
      expect(scope, `${method} ${url} declares a scope`).toBeDefined();
      const res = await app.inject({
        method: method as 'GET',
        url: url.replace(/:[A-Za-z]+/g, SOME_ID),
        headers: { authorization: `Bearer ${noScopeKey}` },
        ...(['POST', 'PUT', 'PATCH'].includes(method) ? { payload: {} } : {}),
      });
      expect({ route: `${method} ${url}`, status: res.statusCode, body: res.json() }).toEqual({
        route: `${method} ${url}`,
        status: 403,
        body: { error: { code: 'forbidden', message: 'The API key may not do this.', details: { scope } } },
      });
    }
  });

  it('refuses to build an app with a /v1 route that declares no scope', async () => {
    const bare = Fastify();
    await expect(
      bare
        .register(async (api) => {
          api.addHook('onRequest', apiKeyAuth(new ApiKeyRepository(db.pool, TEST_PEPPER)));
          requireRouteScopes(api);
          api.get('/v1/forgotten', async () => ({}));
        })
        .ready(),
    ).rejects.toThrow(/GET \/v1\/forgotten declares no API key scope/);
    await bare.close();
  });

  it('refuses a /v1 route registered outside the authenticated scope unless it is listed public', async () => {
    const bare = Fastify();
    requireV1RoutesListed(bare);
    void bare.register(async (root) => {
      root.get('/v1/openapi.json', async () => ({}));
      root.get('/v1/unlisted', async () => ({}));
    });
    await expect(bare.ready()).rejects.toThrow(
      /GET \/v1\/unlisted is in neither ROUTE_SCOPES nor PUBLIC_ROUTES/,
    );
    await bare.close();
  });

  it('serves the public routes (the OpenAPI document) without an API key', async () => {
    // The others are the users' sign-in (user-sign-in.int.test.ts calls them without a key).
    expect(PUBLIC_ROUTES.filter((r) => !r.startsWith('POST /v1/auth/'))).toEqual(['GET /v1/openapi.json']);
    const res = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['request-id']).toBeDefined();
    expect(res.headers.ratelimit).toBeUndefined();
    expect(res.json().openapi).toBe('3.1.0');
  });
});

describe('API keys: scopes, expiry, revocation, last use and the management API (real app)', () => {
  let host: TestApp;
  let keys: ApiKeyRepository;

  beforeAll(async () => {
    host = await startTestApp({ rateLimitPerMinute: 10_000 });
    keys = new ApiKeyRepository(host.db.pool, TEST_PEPPER);
  });
  afterAll(async () => {
    await host.close();
  });

  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const message = { to: '+447911123456', from: 'Maskline', body: 'scope test body' };

  it('a messages:read key reads (200) but cannot send (403, scope messages:send)', async () => {
    const sent = await host.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: as(host.apiKey),
      payload: message,
    });
    expect(sent.statusCode).toBe(202);
    const { apiKey: reader } = await keys.createKey({
      tenantId: host.tenantId,
      name: 'reader',
      scopes: ['messages:read'],
    });
    const refused = await host.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: as(reader),
      payload: message,
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({
      error: {
        code: 'forbidden',
        message: 'The API key may not do this.',
        details: { scope: 'messages:send' },
      },
    });
    const read = await host.app.inject({
      method: 'GET',
      url: `/v1/messages/${sent.json().id}`,
      headers: as(reader),
    });
    expect(read.statusCode).toBe(200);
    expect(read.json().id).toBe(sent.json().id);
  });

  it('seeded keys (tests, the local stack) hold every scope', async () => {
    const { rows } = await host.db.pool.query(
      'SELECT scopes FROM api_keys WHERE tenant_id = $1 ORDER BY created_at LIMIT 1',
      [host.tenantId],
    );
    expect([...rows[0].scopes].sort()).toEqual([...API_KEY_SCOPES].sort());
  });

  it('an expired or revoked key gets 401 unauthorized', async () => {
    const expired = await keys.createKey({
      tenantId: host.tenantId,
      name: 'expired',
      expiresAt: new Date(Date.now() - 1_000),
    });
    const revoked = await keys.createKey({ tenantId: host.tenantId, name: 'revoked' });
    expect(await keys.revoke(revoked.keyId, host.tenantId)).toBe('revoked');
    for (const key of [expired.apiKey, revoked.apiKey]) {
      const res = await host.app.inject({ method: 'GET', url: '/v1/api-keys', headers: as(key) });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  });

  it('creates a key shown once, lists keys without secrets, revokes; all audited as the acting key', async () => {
    const adminId = (
      await host.db.pool.query('SELECT id FROM api_keys WHERE tenant_id = $1 ORDER BY created_at LIMIT 1', [
        host.tenantId,
      ])
    ).rows[0].id as string;
    const created = await host.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: as(host.apiKey),
      payload: {
        name: 'ci deploy',
        scopes: ['messages:send', 'messages:read'],
        environment: 'test',
        expiresInDays: 30,
      },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body.key).toMatch(/^ml_test_[A-Za-z0-9_-]{32}$/);
    expect(body).toMatchObject({
      name: 'ci deploy',
      prefix: body.key.slice(0, 12),
      scopes: ['messages:send', 'messages:read'],
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(new Date(body.expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(created.headers.location).toBe(`/v1/api-keys/${body.id}`);

    // The new key works, and its use is stamped in the background.
    const used = await host.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: as(body.key),
      payload: message,
    });
    expect(used.statusCode).toBe(202);
    await expect
      .poll(async () => (await keys.get(body.id))?.lastUsedAt ?? null, { timeout: 5_000 })
      .not.toBeNull();

    const listed = await host.app.inject({ method: 'GET', url: '/v1/api-keys', headers: as(host.apiKey) });
    expect(listed.statusCode).toBe(200);
    expect(JSON.stringify(listed.json())).not.toContain(body.key);
    expect(listed.json().data.map((k: { id: string }) => k.id)).toContain(body.id);
    const { rows } = await host.db.pool.query('SELECT * FROM api_keys');
    expect(JSON.stringify(rows)).not.toContain(body.key);

    const revoked = await host.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${body.id}`,
      headers: as(host.apiKey),
    });
    expect(revoked.statusCode).toBe(204);
    const after = await host.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: as(body.key),
      payload: message,
    });
    expect(after.statusCode).toBe(401);
    // Revoking again changes nothing; an unknown id is 404.
    expect(
      (await host.app.inject({ method: 'DELETE', url: `/v1/api-keys/${body.id}`, headers: as(host.apiKey) }))
        .statusCode,
    ).toBe(204);
    const unknown = await host.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${SOME_ID}`,
      headers: as(host.apiKey),
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('api_key_not_found');

    const events = await host.db.vault.audit.list({ tenantId: host.tenantId });
    const mine = events.filter((e) => e.action.startsWith('api_key.'));
    expect(mine.map((e) => [e.action, e.actor, e.subject])).toEqual([
      ['api_key.created', `api_key:${adminId}`, `api_key:${body.id}`],
      ['api_key.revoked', `api_key:${adminId}`, `api_key:${body.id}`],
    ]);
    expect(JSON.stringify(events)).not.toContain(body.key);
  });

  it('a key cannot revoke itself, grant scopes it lacks, or be made with bad input', async () => {
    const { keyId, apiKey } = await keys.createKey({
      tenantId: host.tenantId,
      name: 'key admin',
      scopes: ['keys:manage', 'messages:read'],
    });
    const self = await host.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${keyId}`,
      headers: as(apiKey),
    });
    expect(self.statusCode).toBe(409);
    expect(self.json().error.code).toBe('api_key_self_revoke');
    const escalate = await host.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: as(apiKey),
      payload: { name: 'more', scopes: ['messages:read', 'pool:admin'] },
    });
    expect(escalate.statusCode).toBe(403);
    expect(escalate.json().error).toMatchObject({ code: 'forbidden', details: { scope: 'pool:admin' } });
    for (const payload of [
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['messages:fly'] },
      { name: '', scopes: ['messages:read'] },
      { name: 'x', scopes: ['messages:read'], environment: 'prod' },
      { name: 'x', scopes: ['messages:read'], expiresInDays: 0 },
      { name: 'x', scopes: ['messages:read'], secret: 'mine' },
    ]) {
      const res = await host.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: as(apiKey),
        payload,
      });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('invalid_request');
    }
    // Another tenant's key is not found, not revoked.
    const other = await seedTenant(host.db.pool, 'other tenant');
    const otherId = (
      await host.db.pool.query('SELECT id FROM api_keys WHERE tenant_id = $1', [other.tenantId])
    ).rows[0].id;
    const cross = await host.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${otherId}`,
      headers: as(apiKey),
    });
    expect(cross.statusCode).toBe(404);
    expect(await new ApiKeyRepository(host.db.pool, TEST_PEPPER).authenticate(other.apiKey)).not.toBeNull();
  });

  it('a revocation through this replica takes effect at once even with a warm cache', async () => {
    let now = Date.now();
    const clock = { now: () => new Date(now) };
    const cache = new CachedApiKeyAuthenticator(keys, clock, 30_000);
    const { keyId, apiKey } = await keys.createKey({ tenantId: host.tenantId, name: 'cached' });
    expect(await cache.authenticate(apiKey)).not.toBeNull();
    await keys.revoke(keyId, host.tenantId);
    expect(await cache.authenticate(apiKey)).not.toBeNull(); // still cached (bounded by the TTL)
    cache.forget(keyId);
    expect(await cache.authenticate(apiKey)).toBeNull();
    // A cached key is not honoured past its expiry, however long the TTL.
    const soon = await keys.createKey({
      tenantId: host.tenantId,
      name: 'soon',
      expiresAt: new Date(Date.now() + 1_000),
    });
    expect(await cache.authenticate(soon.apiKey)).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    now += 1_200;
    expect(await cache.authenticate(soon.apiKey)).toBeNull();
  });
});
