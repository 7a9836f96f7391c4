import { blankShreddedTenantForms } from '@maskline/storage';
import { seedTenant } from '@maskline/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/** GET /v1/messages through the real app: filters, cursor paging, masking, tenancy. */
describe('GET /v1/messages (real Redis and PostgreSQL)', () => {
  let host: TestApp;
  let app: FastifyInstance;
  let apiKey: string;
  const sent: string[] = [];

  const auth = (key = apiKey) => ({ authorization: `Bearer ${key}` });
  const list = (query: string, key = apiKey) =>
    app.inject({ method: 'GET', url: `/v1/messages${query}`, headers: auth(key) });

  beforeAll(async () => {
    host = await startTestApp({ rateLimitPerMinute: 100_000 });
    app = host.app;
    ({ apiKey } = await seedTenant(host.db.pool, 'lister'));
    // 7 messages sent one by one, then 5 at once (one group-commit INSERT: same created_at).
    for (let i = 0; i < 7; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/messages',
        headers: auth(),
        payload: {
          to: `+4479111234${String(10 + i)}`,
          from: 'Maskline',
          body: `secret body ${i}`,
          ...(i % 2 === 0 ? { clientReference: `order-${i % 4}` } : {}),
        },
      });
      expect(res.statusCode).toBe(202);
      sent.push(res.json().id);
    }
    const batch = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        app.inject({
          method: 'POST',
          url: '/v1/messages',
          headers: auth(),
          payload: { to: `+4479111235${String(10 + i)}`, from: '+447911123999', body: 'batched' },
        }),
      ),
    );
    for (const res of batch) sent.push(res.json().id);
  });
  afterAll(async () => {
    await host.close();
  });

  it('lists the tenant messages newest first, each item exactly as GET /v1/messages/{id} shows it', async () => {
    const res = await list('');
    expect(res.statusCode).toBe(200);
    const { data, nextCursor } = res.json();
    expect(nextCursor).toBeNull();
    expect(data).toHaveLength(12);
    for (const item of data.slice(0, 3)) {
      const one = await app.inject({ method: 'GET', url: `/v1/messages/${item.id}`, headers: auth() });
      expect(item).toEqual(one.json());
    }
    const keys = data.map((m: { createdAt: string; id: string }) => [m.createdAt, m.id]);
    const sorted = [...keys].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? 1 : -1) : a[0] < b[0] ? 1 : -1));
    expect(keys).toEqual(sorted);
    expect(new Set(data.map((m: { id: string }) => m.id))).toEqual(new Set(sent));
    expect(res.body).not.toMatch(/secret body|batched|447911123410|447911123999/);
    expect(data.find((m: { id: string }) => m.id === sent[0]).clientReference).toBe('order-0');
    expect(data.find((m: { id: string }) => m.id === sent[1]).clientReference).toBeNull();
  });

  it('pages with an opaque cursor in a stable order: every message once, ties on created_at included', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(`?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.data.length).toBeLessThanOrEqual(5);
      seen.push(...body.data.map((m: { id: string }) => m.id));
      cursor = body.nextCursor;
      if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
    const all = (await list('')).json().data.map((m: { id: string }) => m.id);
    expect(seen).toEqual(all);
  });

  it('defaults to 50 a page and takes at most 200', async () => {
    const other = await seedTenant(host.db.pool, 'many');
    await host.db.pool.query(
      `INSERT INTO messages (id, tenant_id, carrier_id, status, segments, to_masked, from_masked)
       SELECT gen_random_uuid(), $1, 'sim', 'delivered', 1, '+4479****0000', 'Maskline' FROM generate_series(1, 60)`,
      [other.tenantId],
    );
    const page = (await list('', other.apiKey)).json();
    expect(page.data).toHaveLength(50);
    expect(page.nextCursor).not.toBeNull();
    expect((await list('?limit=200', other.apiKey)).json().data).toHaveLength(60);
    // All 60 share one created_at (one INSERT): the id breaks the tie, so pages neither skip nor repeat.
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const body: { data: { id: string }[]; nextCursor: string | null } = (
        await list(`?limit=7${cursor ? `&cursor=${cursor}` : ''}`, other.apiKey)
      ).json();
      ids.push(...body.data.map((m: { id: string }) => m.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect((await list('?limit=201')).json().error).toMatchObject({
      code: 'invalid_request',
      details: { field: 'limit' },
    });
  });

  it('filters by status, by client reference and by a created time range', async () => {
    await host.db.pool.query(`UPDATE messages SET status = 'delivered' WHERE id = ANY($1::uuid[])`, [
      sent.slice(0, 2),
    ]);
    const delivered = (await list('?status=delivered')).json().data.map((m: { id: string }) => m.id);
    expect(new Set(delivered)).toEqual(new Set(sent.slice(0, 2)));

    const tagged = (await list('?client_reference=order-0')).json().data.map((m: { id: string }) => m.id);
    expect(new Set(tagged)).toEqual(new Set([sent[0], sent[4]]));
    const taggedDelivered = (await list('?client_reference=order-0&status=delivered')).json().data;
    expect(taggedDelivered.map((m: { id: string }) => m.id)).toEqual([sent[0]]);

    const all = (await list('')).json().data as { id: string; createdAt: string }[];
    const third = all.find((m) => m.id === sent[2])!;
    const fifth = all.find((m) => m.id === sent[4])!;
    const range = (
      await list(
        `?created_after=${encodeURIComponent(third.createdAt)}&created_before=${encodeURIComponent(fifth.createdAt)}`,
      )
    ).json().data;
    // created_after is inclusive, created_before exclusive (ms precision of the shown times).
    expect(range.map((m: { id: string }) => m.id).sort()).toEqual([sent[2], sent[3]].sort());
    const none = (await list('?created_after=2999-01-01T00:00:00Z')).json();
    expect(none).toEqual({ data: [], nextCursor: null });
  });

  it('shows another tenant none of these messages', async () => {
    const other = await seedTenant(host.db.pool, 'stranger');
    expect((await list('', other.apiKey)).json()).toEqual({ data: [], nextCursor: null });
    // A cursor from one tenant's list reveals nothing in another's.
    const page = (await list('?limit=2')).json();
    expect((await list(`?cursor=${page.nextCursor}`, other.apiKey)).json().data).toEqual([]);
  });

  it.each([
    ['?status=sent', 'status'],
    ['?created_after=yesterday', 'created_after'],
    ['?created_before=2026-13-01T00:00:00Z', 'created_before'],
    ['?created_after=2026-02-01T00:00:00Z&created_before=2026-01-01T00:00:00Z', 'created_after'],
    ['?limit=0', 'limit'],
    ['?limit=abc', 'limit'],
    ['?cursor=not-a-cursor', 'cursor'],
    [`?cursor=${Buffer.from('v1.12.x').toString('base64url')}`, 'cursor'],
    ['?client_reference=', 'client_reference'],
    [`?client_reference=${'x'.repeat(129)}`, 'client_reference'],
    ['?client_reference=%2B447911123456', 'client_reference'],
    ['?colour=blue', 'colour'],
    ['?status=queued&status=delivered', 'status'],
  ])('refuses %s with 400 invalid_request naming %s', async (query, field) => {
    const res = await list(query);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_request', details: { field } });
    expect(res.body).not.toContain('447911123456');
  });

  it('needs an API key', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/messages' });
    expect(res.statusCode).toBe(401);
  });
});

describe('POST /v1/messages clientReference', () => {
  let host: TestApp;
  beforeAll(async () => {
    host = await startTestApp({ rateLimitPerMinute: 100_000 });
  });
  afterAll(async () => {
    await host.close();
  });
  const send = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    host.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${host.apiKey}`, ...headers },
      payload: { to: '+447911123456', from: 'Maskline', body: 'hi', ...payload },
    });

  it('is stored on the row and shown back; it joins the Idempotency-Key comparison', async () => {
    const res = await send({ clientReference: 'invoice 2026/12 #42' }, { 'idempotency-key': 'ref-1' });
    expect(res.statusCode).toBe(202);
    expect(res.json().clientReference).toBe('invoice 2026/12 #42');
    const row = await host.db.pool.query('SELECT client_reference FROM messages WHERE id = $1', [
      res.json().id,
    ]);
    expect(row.rows[0].client_reference).toBe('invoice 2026/12 #42');
    const other = await send({ clientReference: 'invoice 2026/12 #43' }, { 'idempotency-key': 'ref-1' });
    expect(other.json().error.code).toBe('idempotency_conflict');
    const none = await send({});
    expect(none.json().clientReference).toBeNull();
  });

  it('is blanked with the masked forms when the tenant is shredded', async () => {
    const tenant = await seedTenant(host.db.pool, 'shredded');
    const res = await host.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${tenant.apiKey}` },
      payload: { to: '+447911123456', from: 'Maskline', body: 'hi', clientReference: 'crm-77' },
    });
    expect(res.statusCode).toBe(202);
    await blankShreddedTenantForms(host.db.pool, tenant.tenantId);
    const row = await host.db.pool.query('SELECT client_reference FROM messages WHERE id = $1', [
      res.json().id,
    ]);
    expect(row.rows[0].client_reference).toBeNull();
  });

  it.each([
    ['too long', 'r'.repeat(129), undefined],
    ['not printable ASCII', 'café', undefined],
    ['a control character', 'a\nb', undefined],
    ['not a string', 42, undefined],
    ['a phone number', 'call +44 7911 123456', 'phone_number'],
    ['ten digits in a row', 'cust 4479111234', 'phone_number'],
  ])('refuses a reference that is %s, without echoing it', async (_label, value, reason) => {
    const res = await send({ clientReference: value });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'invalid_request',
      details: reason ? { field: 'clientReference', reason } : { field: 'clientReference' },
    });
    expect(res.body).not.toContain('7911');
  });
});
