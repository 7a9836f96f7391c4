import { ERROR_CATALOGUE } from '@maskline/core';
import { createRedisConnection } from '@maskline/queues';
import { ApiKeyRepository } from '@maskline/storage';
import { createTestDatabase, seedTenant, TEST_PEPPER, type TestDatabase } from '@maskline/testing';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PUBLIC_ROUTES, ROUTE_SCOPES } from '../src/auth/route-scopes.js';
import { ingestOpenApi } from '../src/openapi/openapi-document.js';
import { registeredRoutes } from './support/route-list.js';
import { routeTreeApp } from './support/route-tree-app.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>;
  components: {
    schemas: {
      ErrorCode: { enum: string[] };
      Error: { properties: { error: { properties: { code: unknown } } } };
    };
  };
};

/**
 * The served document matches what the app does: one operation per registered /v1 route
 * (the full app, every optional group on; handlers never run, so their dependencies are
 * placeholders), the whole error catalogue, a valid OpenAPI 3.1 document.
 */
describe('GET /v1/openapi.json describes every /v1 route of the full app', () => {
  let db: TestDatabase;
  let redis: Redis;
  let app: FastifyInstance;
  let doc: Doc;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    await seedTenant(db.pool);
    const keys = new ApiKeyRepository(db.pool, TEST_PEPPER);
    app = await routeTreeApp(db, redis, keys);
    const res = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => {
    await app.close();
    redis.disconnect();
    await db.drop();
  });

  it('has exactly one operation per registered /v1 route (a route without a description fails)', () => {
    const registered = registeredRoutes(app)
      .filter((r) => r.url.startsWith('/v1/') && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .sort();
    // Sanity: the full app (every listed route registered), not a partial tree.
    expect(registered).toHaveLength(Object.keys(ROUTE_SCOPES).length + PUBLIC_ROUTES.length);
    expect(documented).toEqual(registered);
  });

  it('names every code of the error catalogue, in the Error schema and in the served text', async () => {
    const codes = Object.keys(ERROR_CATALOGUE);
    expect(doc.components.schemas.ErrorCode.enum).toEqual(codes);
    expect(doc.components.schemas.Error.properties.error.properties.code).toEqual({
      $ref: '#/components/schemas/ErrorCode',
    });
    const text = JSON.stringify(doc);
    for (const code of codes) expect(text, code).toContain(`"${code}"`);
  });

  it('is a valid OpenAPI 3.1 document, and the one built at start-up', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(doc).toEqual(ingestOpenApi());
  });

  it('every authenticated operation documents 401, 403 and 429; every one documents Request-Id', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const statuses = Object.keys(op.responses);
        if (!PUBLIC_ROUTES.includes(`${method.toUpperCase()} ${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`))
          expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403', '429']));
        for (const response of Object.values(op.responses))
          expect(response.headers).toHaveProperty('Request-Id');
      }
    }
  });
});

/** Real answers of the app (real PostgreSQL and Redis) validate against the documented schemas. */
describe('real responses match the documented schemas', () => {
  let host: TestApp;
  let doc: Doc;
  let ajv: Ajv2020;
  const as = () => ({ authorization: `Bearer ${host.apiKey}` });

  beforeAll(async () => {
    host = await startTestApp({
      rateLimitPerMinute: 10_000,
      verifications: {
        limits: { perDestinationMinute: 5, perDestinationHour: 5, perDestinationDay: 5, perTenantHour: 100 },
      },
    });
    doc = (await host.app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ ...doc, $id: 'https://maskline.test/openapi.json' });
  });
  afterAll(async () => {
    await host.close();
  });

  /** Validates a response against the schema documented for (method, path, its status). */
  function expectDocumented(method: string, path: string, res: LightMyRequestResponse): void {
    const documented = doc.paths[path]?.[method]?.responses[String(res.statusCode)];
    expect(documented, `${method} ${path} documents ${res.statusCode}`).toBeDefined();
    if (res.statusCode === 204) {
      expect(res.body).toBe('');
    } else {
      const pointer = [
        'paths',
        path,
        method,
        'responses',
        String(res.statusCode),
        'content',
        'application/json',
        'schema',
      ]
        .map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1'))
        .join('/');
      const validate = ajv.compile({ $ref: `https://maskline.test/openapi.json#/${pointer}` });
      const valid = validate(res.json());
      expect(validate.errors ?? [], `${method} ${path} ${res.statusCode}`).toEqual([]);
      expect(valid).toBe(true);
    }
    for (const name of Object.keys(documented?.headers ?? {})) {
      if (['Request-Id', 'Location', 'RateLimit', 'RateLimit-Policy'].includes(name)) {
        expect(res.headers[name.toLowerCase()], `${method} ${path} header ${name}`).toBeDefined();
      }
    }
  }

  it('202 send, its 200 replay, a page of the list and one message', async () => {
    const payload = {
      to: '+447911123456',
      from: 'Maskline',
      body: 'openapi body',
      clientReference: 'order-1',
    };
    const headers = { ...as(), 'idempotency-key': 'openapi-1' };
    const sent = await host.app.inject({ method: 'POST', url: '/v1/messages', headers, payload });
    expect(sent.statusCode).toBe(202);
    expectDocumented('post', '/v1/messages', sent);
    const replay = await host.app.inject({ method: 'POST', url: '/v1/messages', headers, payload });
    expect(replay.statusCode).toBe(200);
    expectDocumented('post', '/v1/messages', replay);

    const page = await host.app.inject({ method: 'GET', url: '/v1/messages?limit=1', headers: as() });
    expect(page.json().data).toHaveLength(1);
    expectDocumented('get', '/v1/messages', page);
    const one = await host.app.inject({
      method: 'GET',
      url: `/v1/messages/${sent.json().id}`,
      headers: as(),
    });
    expectDocumented('get', '/v1/messages/{id}', one);
  });

  it('errors: 400 invalid_phone_number, 404 message_not_found, 401 unauthorized, 403 reveal_not_granted', async () => {
    const bad = await host.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: as(),
      payload: { to: 'not a number', from: 'Maskline', body: 'x' },
    });
    expect(bad.json().error.code).toBe('invalid_phone_number');
    expectDocumented('post', '/v1/messages', bad);
    const missing = await host.app.inject({
      method: 'GET',
      url: '/v1/messages/0190a0b0-0000-7000-8000-000000000000',
      headers: as(),
    });
    expect(missing.json().error.code).toBe('message_not_found');
    expectDocumented('get', '/v1/messages/{id}', missing);
    const anonymous = await host.app.inject({ method: 'GET', url: '/v1/messages' });
    expect(anonymous.statusCode).toBe(401);
    expectDocumented('get', '/v1/messages', anonymous);
    const reveal = await host.app.inject({
      method: 'POST',
      url: '/v1/messages/0190a0b0-0000-7000-8000-000000000000/reveal',
      headers: as(),
    });
    expect(reveal.json().error.code).toBe('reveal_not_granted');
    expectDocumented('post', '/v1/messages/{id}/reveal', reveal);
  });

  it('routing, API keys and verifications answer as documented', async () => {
    const residency = await host.app.inject({
      method: 'PUT',
      url: '/v1/routing/residency',
      headers: as(),
      payload: { allowedRegions: ['eu'] },
    });
    expectDocumented('put', '/v1/routing/residency', residency);
    for (const path of ['/v1/routing/residency', '/v1/routes', '/v1/carrier-prices', '/v1/api-keys']) {
      const res = await host.app.inject({ method: 'GET', url: path, headers: as() });
      expect(res.statusCode, path).toBe(200);
      expectDocumented('get', path, res);
    }
    const key = await host.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: as(),
      payload: { name: 'openapi', scopes: ['messages:read'] },
    });
    expect(key.statusCode).toBe(201);
    expectDocumented('post', '/v1/api-keys', key);
    const selfRevoke = await host.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${key.json().id}`,
      headers: { authorization: `Bearer ${key.json().key}` },
    });
    expectDocumented('delete', '/v1/api-keys/{id}', selfRevoke);

    const unrestricted = await host.app.inject({
      method: 'DELETE',
      url: '/v1/routing/residency',
      headers: as(),
    });
    expect(unrestricted.statusCode).toBe(204);
    expectDocumented('delete', '/v1/routing/residency', unrestricted);

    const started = await host.app.inject({
      method: 'POST',
      url: '/v1/verifications',
      headers: as(),
      payload: { to: '+447900912345', brand: 'Maskline' },
    });
    expect(started.statusCode, started.body).toBe(201);
    expectDocumented('post', '/v1/verifications', started);
    const wrong = await host.app.inject({
      method: 'POST',
      url: `/v1/verifications/${started.json().id}/check`,
      headers: as(),
      payload: { code: '0' },
    });
    expect(wrong.statusCode).toBeGreaterThanOrEqual(400);
    expectDocumented('post', '/v1/verifications/{id}/check', wrong);
    for (const path of ['/v1/verifications/limits', '/v1/verifications/blocks']) {
      const res = await host.app.inject({ method: 'GET', url: path, headers: as() });
      expect(res.statusCode, path).toBe(200);
      expectDocumented('get', path, res);
    }
  });

  it('an error answer whose code the operation does not document fails validation', () => {
    const pointer = 'paths/~1v1~1messages~1{id}/get/responses/404/content/application~1json/schema';
    const validate = ajv.compile({ $ref: `https://maskline.test/openapi.json#/${pointer}` });
    expect(validate({ error: { code: 'message_not_found', message: 'x' } })).toBe(true);
    expect(validate({ error: { code: 'webhook_not_found', message: 'x' } })).toBe(false);
  });
});
