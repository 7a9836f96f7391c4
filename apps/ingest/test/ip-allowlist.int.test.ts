import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const ALLOWED_V4 = '192.0.2.10';
const ALLOWED_V6 = '2001:db8:5::77';
const OUTSIDE_V4 = '198.51.100.1';
const OUTSIDE_V6 = '2001:db9::1';

/** Per-key IP allowlists through HTTP against the real app (real PostgreSQL and Redis). */
describe('API key IP allowlists', () => {
  let t: TestApp;
  let adminKeyId: string;

  beforeAll(async () => {
    t = await startTestApp({ rateLimitPerMinute: 100_000 });
    const keys = await t.app.inject({
      method: 'GET',
      url: '/v1/api-keys',
      headers: { authorization: `Bearer ${t.apiKey}` },
    });
    adminKeyId = keys.json().data[0].id;
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (key: string, remoteAddress: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'GET',
      url: '/v1/messages',
      remoteAddress,
      headers: { authorization: `Bearer ${key}`, ...headers },
    });

  async function createKey(body: Record<string, unknown>, remoteAddress = '127.0.0.1') {
    return t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      remoteAddress,
      headers: { authorization: `Bearer ${t.apiKey}` },
      payload: { name: 'partner', scopes: ['messages:read'], ...body },
    });
  }

  async function auditRows(action: string, subject: string) {
    const result = await t.db.pool.query(
      'SELECT actor, details FROM audit_log WHERE tenant_id = $1 AND action = $2 AND subject = $3 ORDER BY seq',
      [t.tenantId, action, subject],
    );
    return result.rows;
  }

  it('a key with a list works from its IPv4 and IPv6 CIDRs (and v4-mapped v6), 403 ip_not_allowed elsewhere', async () => {
    const created = await createKey({ allowedCidrs: ['192.0.2.0/24', '2001:DB8:5::/48'] });
    expect(created.statusCode).toBe(201);
    const { key, id, allowedCidrs } = created.json();
    expect(allowedCidrs).toEqual(['192.0.2.0/24', '2001:db8:5::/48']);
    expect(await auditRows('api_key.created', `api_key:${id}`)).toEqual([
      {
        actor: `api_key:${adminKeyId}`,
        details: expect.objectContaining({ allowedCidrs: '192.0.2.0/24,2001:db8:5::/48' }),
      },
    ]);

    expect((await as(key, ALLOWED_V4)).statusCode).toBe(200);
    expect((await as(key, ALLOWED_V6)).statusCode).toBe(200);
    expect((await as(key, `::ffff:${ALLOWED_V4}`)).statusCode).toBe(200);
    for (const address of [OUTSIDE_V4, OUTSIDE_V6, `::ffff:${OUTSIDE_V4}`, '127.0.0.1']) {
      const refused = await as(key, address);
      expect(refused.statusCode, address).toBe(403);
      expect(refused.json()).toEqual({
        error: { code: 'ip_not_allowed', message: expect.any(String) },
      });
      // The answer never tells the client which addresses would do.
      expect(refused.body).not.toContain('192.0.2');
    }
  });

  it('ignores X-Forwarded-For while TRUST_PROXY is off (a client cannot pick its address)', async () => {
    const { key } = (await createKey({ allowedCidrs: ['192.0.2.0/24'] })).json();
    const spoofed = await as(key, OUTSIDE_V4, { 'x-forwarded-for': ALLOWED_V4 });
    expect(spoofed.statusCode).toBe(403);
    expect(spoofed.json().error.code).toBe('ip_not_allowed');
  });

  it('a key without a list is unaffected from any address', async () => {
    for (const address of [OUTSIDE_V4, OUTSIDE_V6, `::ffff:${OUTSIDE_V4}`]) {
      expect((await as(t.apiKey, address)).statusCode).toBe(200);
    }
    const { key, allowedCidrs } = (await createKey({})).json();
    expect(allowedCidrs).toBeNull();
    expect((await as(key, OUTSIDE_V6)).statusCode).toBe(200);
  });

  it('a bad CIDR is 400 invalid_cidr on create and on update, naming the entry', async () => {
    for (const allowedCidrs of [['10.0.0.1/8'], ['nope'], [], ['2001:db8::/129']]) {
      const res = await createKey({ allowedCidrs });
      expect(res.statusCode, JSON.stringify(allowedCidrs)).toBe(400);
      expect(res.json().error.code).toBe('invalid_cidr');
    }
    const { id } = (await createKey({})).json();
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/api-keys/${id}`,
      headers: { authorization: `Bearer ${t.apiKey}` },
      payload: { allowedCidrs: ['192.0.2.0/24', '300.1.1.1'] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({
      code: 'invalid_cidr',
      message: expect.any(String),
      details: { field: 'allowedCidrs', index: 1 },
    });
    const unknown = await t.app.inject({
      method: 'PATCH',
      url: `/v1/api-keys/${id}`,
      headers: { authorization: `Bearer ${t.apiKey}` },
      payload: { name: 'x' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('invalid_request');
  });

  it('PATCH replaces and lifts a list at once, audited with the acting key, shown in the key list', async () => {
    const { key, id } = (await createKey({})).json();
    const patch = (allowedCidrs: unknown) =>
      t.app.inject({
        method: 'PATCH',
        url: `/v1/api-keys/${id}`,
        headers: { authorization: `Bearer ${t.apiKey}` },
        payload: { allowedCidrs },
      });

    const set = await patch(['2001:db8:5::/48']);
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ id, allowedCidrs: ['2001:db8:5::/48'] });
    expect((await as(key, ALLOWED_V6)).statusCode).toBe(200);
    expect((await as(key, ALLOWED_V4)).statusCode).toBe(403);

    const listed = await t.app.inject({
      method: 'GET',
      url: '/v1/api-keys',
      headers: { authorization: `Bearer ${t.apiKey}` },
    });
    const row = listed.json().data.find((k: { id: string }) => k.id === id);
    expect(row.allowedCidrs).toEqual(['2001:db8:5::/48']);
    expect(row).not.toHaveProperty('key');

    expect((await patch(null)).json().allowedCidrs).toBeNull();
    expect((await as(key, ALLOWED_V4)).statusCode).toBe(200);

    expect(await auditRows('api_key.allowlist_changed', `api_key:${id}`)).toEqual([
      { actor: `api_key:${adminKeyId}`, details: { before: null, after: '2001:db8:5::/48' } },
      { actor: `api_key:${adminKeyId}`, details: { before: '2001:db8:5::/48', after: null } },
    ]);
  });

  it("404 for an unknown key or another tenant's; a key cannot lock itself out (409)", async () => {
    const missing = await t.app.inject({
      method: 'PATCH',
      url: '/v1/api-keys/0190a0b0-0000-7000-8000-000000000000',
      headers: { authorization: `Bearer ${t.apiKey}` },
      payload: { allowedCidrs: null },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('api_key_not_found');

    const manager = (await createKey({ scopes: ['keys:manage', 'messages:read'] })).json();
    const self = (allowedCidrs: string[]) =>
      t.app.inject({
        method: 'PATCH',
        url: `/v1/api-keys/${manager.id}`,
        remoteAddress: ALLOWED_V4,
        headers: { authorization: `Bearer ${manager.key}` },
        payload: { allowedCidrs },
      });
    const lockout = await self(['2001:db8::/32']);
    expect(lockout.statusCode).toBe(409);
    expect(lockout.json().error.code).toBe('api_key_self_lockout');
    expect((await as(manager.key, OUTSIDE_V4)).statusCode).toBe(200);
    expect((await self(['192.0.2.0/24'])).statusCode).toBe(200);
    expect((await as(manager.key, OUTSIDE_V4)).statusCode).toBe(403);
  });

  it('a refused address is not an authentication failure: it never feeds the 401 throttle', async () => {
    const throttled = await startTestApp({ rateLimitPerMinute: 100_000, authFailureLimitPerMinute: 2 });
    try {
      const created = await throttled.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: { authorization: `Bearer ${throttled.apiKey}` },
        payload: { name: 'p', scopes: ['messages:read'], allowedCidrs: ['192.0.2.0/24'] },
      });
      const { key } = created.json();
      for (let i = 0; i < 4; i++) {
        const res = await throttled.app.inject({
          method: 'GET',
          url: '/v1/messages',
          remoteAddress: OUTSIDE_V4,
          headers: { authorization: `Bearer ${key}` },
        });
        expect(res.json().error.code).toBe('ip_not_allowed');
      }
    } finally {
      await throttled.close();
    }
  });
});

describe('API key IP allowlists behind a trusted proxy (TRUST_PROXY)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ rateLimitPerMinute: 100_000, trustProxy: '10.9.0.0/16' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('checks the X-Forwarded-For client address when the peer is a trusted proxy, the peer otherwise', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { authorization: `Bearer ${t.apiKey}` },
      payload: { name: 'p', scopes: ['messages:read'], allowedCidrs: ['192.0.2.0/24'] },
    });
    const { key } = created.json();
    const from = (remoteAddress: string, forwarded: string) =>
      t.app.inject({
        method: 'GET',
        url: '/v1/messages',
        remoteAddress,
        headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': forwarded },
      });
    expect((await from('10.9.0.5', ALLOWED_V4)).statusCode).toBe(200);
    expect((await from('10.9.0.5', OUTSIDE_V4)).statusCode).toBe(403);
    // Not through the proxy: the header is the client's own claim and is not believed.
    expect((await from(OUTSIDE_V4, ALLOWED_V4)).statusCode).toBe(403);
  });
});
