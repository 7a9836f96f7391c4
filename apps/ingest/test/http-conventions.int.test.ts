import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Request-Id, Idempotent-Replayed, 405, framework errors and UTF-8 bodies, through the real app. */
describe('HTTP conventions (real Redis and PostgreSQL)', () => {
  let host: TestApp;
  let app: FastifyInstance;

  beforeAll(async () => {
    host = await startTestApp({ rateLimitPerMinute: 10_000 });
    ({ app } = host);
  });
  afterAll(async () => {
    await host.close();
  });

  const auth = () => ({ authorization: `Bearer ${host.apiKey}` });
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  describe('Request-Id', () => {
    it('puts a fresh one on every answer: success, 401, 404, 405, 413, 414, 415, bad JSON', async () => {
      const requests = [
        { method: 'GET', url: '/health' },
        { method: 'POST', url: '/v1/messages' },
        { method: 'GET', url: '/nowhere' },
        { method: 'DELETE', url: '/v1/messages' },
        { method: 'GET', url: `/v1/messages/${'a'.repeat(200)}` },
        { method: 'GET', url: '/v1/messages/%zz' },
        {
          method: 'POST',
          url: '/v1/messages',
          headers: { ...auth(), 'content-type': 'text/plain' },
          payload: 'x',
        },
        {
          method: 'POST',
          url: '/v1/messages',
          headers: { ...auth(), 'content-type': 'application/json' },
          payload: '{"to":',
        },
        {
          method: 'POST',
          url: '/v1/messages',
          headers: { ...auth(), 'content-type': 'application/json' },
          payload: JSON.stringify({ body: 'y'.repeat(70_000) }),
        },
      ] as const;
      const ids = new Set<string>();
      for (const req of requests) {
        const res = await app.inject(req as never);
        const id = res.headers['request-id'];
        expect(id, `${req.method} ${req.url.slice(0, 40)} -> ${res.statusCode}`).toMatch(UUID);
        ids.add(String(id));
      }
      expect(ids.size).toBe(requests.length);
    });

    it('echoes a valid X-Request-Id and replaces an invalid one', async () => {
      const valid = ['abc', 'trace-1.2:3_x', 'A'.repeat(128)];
      for (const value of valid) {
        const res = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': value } });
        expect(res.headers['request-id']).toBe(value);
      }
      const invalid = ['', 'A'.repeat(129), 'has space', '+447911123456 ', 'a/b', 'é', 'a,b'];
      for (const value of invalid) {
        const res = await app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': value } });
        expect(res.headers['request-id'], JSON.stringify(value)).toMatch(UUID);
        expect(res.body).not.toContain(value || '\u0000');
      }
    });

    it('echoes it on an answer of the router itself (a too-long path segment)', async () => {
      const res = await app.inject({
        method: 'GET',
        url: `/v1/messages/${'b'.repeat(200)}`,
        headers: { 'x-request-id': 'mine-1' },
      });
      expect(res.headers['request-id']).toBe('mine-1');
    });
  });

  it('says Idempotent-Replayed: true on a replay only', async () => {
    const send = () =>
      app.inject({
        method: 'POST',
        url: '/v1/messages',
        headers: { ...auth(), 'idempotency-key': 'replayed-header-1' },
        payload: { to: '+447911123456', from: 'Maskline', body: 'once' },
      });
    const first = await send();
    expect(first.statusCode).toBe(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await send();
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const other = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: auth(),
      payload: { to: '+447911123456', from: 'Maskline', body: 'no key' },
    });
    expect(other.headers['idempotent-replayed']).toBeUndefined();
  });

  describe('framework-level errors in the documented shape', () => {
    it('answers a wrong method on a known path 405 with Allow', async () => {
      const cases = [
        { method: 'DELETE', url: '/v1/messages', allow: 'GET, HEAD, POST' },
        { method: 'GET', url: '/v1/messages/0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b/reveal', allow: 'POST' },
        { method: 'PUT', url: '/v1/messages/0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b', allow: 'GET, HEAD' },
        { method: 'POST', url: '/health?x=1', allow: 'GET, HEAD' },
      ] as const;
      for (const { method, url, allow } of cases) {
        const res = await app.inject({ method, url, headers: auth() });
        expect(res.statusCode, `${method} ${url}`).toBe(405);
        expect(res.headers.allow).toBe(allow);
        expect(res.json()).toEqual({
          error: {
            code: 'method_not_allowed',
            message: 'This path does not accept this method; the Allow header lists those it does.',
            details: { allow },
          },
        });
      }
      // An unknown path stays 404.
      const unknown = await app.inject({ method: 'DELETE', url: '/v1/nothing-here' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.headers.allow).toBeUndefined();
    });

    it('answers a 200-character id 414 uri_too_long without echoing the path', async () => {
      const id = `${'c'.repeat(190)}4479111234`;
      const res = await app.inject({ method: 'GET', url: `/v1/messages/${id}` });
      expect(res.statusCode).toBe(414);
      expect(res.json()).toEqual({
        error: {
          code: 'uri_too_long',
          message: 'A path segment is too long (at most 100 characters).',
          details: { field: 'path' },
        },
      });
      expect(res.body).not.toContain('ccc');
      expect(res.body).not.toContain('4479111234');
      expect(res.body).not.toMatch(/FST_|Bad Request/);
    });

    it('answers a URL that does not percent-decode 400 invalid_request, path not echoed', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/messages/%E0%A4447911%zz' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: { code: 'invalid_request', message: 'The URL is malformed.', details: { field: 'path' } },
      });
      expect(res.body).not.toContain('47911');
    });

    it('answers 404, 413, 415, empty and bad JSON with catalogue codes only', async () => {
      const cases = [
        { req: { method: 'GET', url: '/v1/secret-447911123456' }, status: 404, code: 'not_found' },
        {
          req: {
            method: 'POST',
            url: '/v1/messages',
            headers: { ...auth(), 'content-type': 'application/json' },
            payload: JSON.stringify({ body: 'y'.repeat(70_000) }),
          },
          status: 413,
          code: 'payload_too_large',
        },
        {
          req: {
            method: 'POST',
            url: '/v1/messages',
            headers: { ...auth(), 'content-type': 'application/xml' },
            payload: '<a/>',
          },
          status: 415,
          code: 'unsupported_media_type',
        },
        {
          req: {
            method: 'POST',
            url: '/v1/messages',
            headers: { ...auth(), 'content-type': 'application/json' },
            payload: '',
          },
          status: 400,
          code: 'invalid_request',
        },
        {
          req: {
            method: 'POST',
            url: '/v1/messages',
            headers: { ...auth(), 'content-type': 'application/json' },
            payload: '{"to": "+447911123456",',
          },
          status: 400,
          code: 'invalid_request',
        },
      ] as const;
      for (const { req, status, code } of cases) {
        const res = await app.inject(req as never);
        expect(res.statusCode, `${req.method} ${req.url}`).toBe(status);
        const body = res.json();
        expect(Object.keys(body)).toEqual(['error']);
        expect(body.error.code).toBe(code);
        expect(typeof body.error.message).toBe('string');
        expect(res.body).not.toMatch(/FST_|statusCode|447911123456|secret-/);
      }
    });
  });

  describe('JSON bodies must be UTF-8', () => {
    const post = (payload: Buffer) =>
      app.inject({
        method: 'POST',
        url: '/v1/messages',
        headers: { ...auth(), 'content-type': 'application/json; charset=utf-8' },
        payload,
      });
    const json = (body: Buffer) =>
      Buffer.concat([
        Buffer.from('{"to":"+447911123456","from":"Maskline","body":"'),
        body,
        Buffer.from('"}'),
      ]);

    it.each([
      ['a lone continuation byte', [0x80]],
      ['a truncated 2-byte sequence', [0x68, 0xc3]],
      ['an overlong encoding', [0xc0, 0xaf]],
      ['a UTF-16 surrogate encoded in UTF-8', [0xed, 0xa0, 0x80]],
      ['0xff', [0xff]],
    ])('refuses %s with 400 invalid_request and sends nothing', async (_label, bytes) => {
      const before = await host.db.pool.query('SELECT count(*)::int AS n FROM messages');
      const res = await post(json(Buffer.from(bytes)));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: {
          code: 'invalid_request',
          message: 'The request body is not valid UTF-8.',
          details: { field: 'body', reason: 'invalid_utf8' },
        },
      });
      const after = await host.db.pool.query('SELECT count(*)::int AS n FROM messages');
      expect(after.rows[0].n).toBe(before.rows[0].n);
    });

    it('still takes valid UTF-8 (accents, CJK, emoji) and keeps prototype-poisoning protection', async () => {
      const ok = await post(json(Buffer.from('héllo 你好 😀', 'utf8')));
      expect(ok.statusCode).toBe(202);
      const poisoned = await post(Buffer.from('{"__proto__":{"x":1},"to":"+447911123456"}'));
      expect(poisoned.statusCode).toBe(400);
      expect(poisoned.json().error.code).toBe('invalid_request');
    });
  });
});
