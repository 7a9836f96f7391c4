import { uuidv7 } from '@maskline/core';
import { SEALED_TABLES } from '@maskline/storage';
import { reencrypt } from '@maskline/vault';
import { extractVerificationCode } from '@maskline/verification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const LIMITS = {
  perDestinationMinute: 1,
  perDestinationHour: 5,
  perDestinationDay: 10,
  perTenantHour: 1_000,
};
let next = 0;
/** A fresh destination per test: the per-number limit allows one verification a minute. */
const freshNumber = () => `+4479009${String(10_000 + (next++ % 90_000)).padStart(5, '0')}`;

/** The verification API on the real ingest app (inject) over real PostgreSQL and Redis. */
describe('verifications API (inject, real PostgreSQL and Redis)', () => {
  let t: TestApp;
  const lines: string[] = [];
  const answers: string[] = [];

  beforeAll(async () => {
    const log = (fields: object, message: string) => void lines.push(`${message} ${JSON.stringify(fields)}`);
    const logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
    t = await startTestApp({ rateLimitPerMinute: 100_000, logger, verifications: { limits: LIMITS } });
    await t.db.pool.query(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, event_types) VALUES ($1, $2, 'https://hooks.example/v', '{verification.*}')`,
      [uuidv7(), t.tenantId],
    );
  });
  afterAll(async () => t.close());

  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const response = await t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${t.apiKey}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    answers.push(response.body);
    return response;
  };

  /** Starts a verification and reads its code out of the sealed SMS body, as the phone would. */
  async function start(to = freshNumber(), extra: Record<string, unknown> = {}) {
    const response = await call('POST', '/v1/verifications', { to, brand: 'Acme', ...extra });
    expect(response.statusCode, response.body).toBe(201);
    const view = response.json<{
      id: string;
      messageId: string;
      status: string;
      to: string;
      expiresAt: string;
    }>();
    return { view, to, code: await codeOf(view.messageId), body: await bodyOf(view.messageId) };
  }

  async function bodyOf(messageId: string): Promise<string> {
    const record = await t.messages.loadForDelivery(messageId);
    if (!record?.content) throw new Error('message content not readable');
    return record.content.body;
  }

  async function codeOf(messageId: string): Promise<string> {
    const code = extractVerificationCode(await bodyOf(messageId))?.code;
    if (!code) throw new Error('no code in the message');
    return code;
  }

  const check = (id: string, code: string) => call('POST', `/v1/verifications/${id}/check`, { code });
  const errorCode = (response: { json: () => unknown }) =>
    (response.json() as { error: { code: string } }).error.code;

  it('sends the code through the message pipeline: an otp message, sealed, with an ids-only job', async () => {
    const before = Date.now();
    const { view, to, code, body } = await start(freshNumber(), {
      codeLength: 8,
      locale: 'zh-CN',
      brand: '京东',
    });
    expect(view.status).toBe('pending');
    expect(view.to).not.toBe(to);
    expect(view.to).toMatch(/\*/);
    expect(Date.parse(view.expiresAt) - before).toBeGreaterThan(295_000);
    expect(Date.parse(view.expiresAt) - before).toBeLessThan(310_000);
    expect(code).toMatch(/^[0-9]{8}$/);
    expect(body).toBe(`【京东】您的验证码是${code}，5分钟内有效，请勿泄露给他人。`);
    expect(JSON.stringify(view)).not.toContain(code);
    const message = await t.messages.findForTenant(t.tenantId, view.messageId);
    expect(message?.kind).toBe('otp');
    expect(message?.status).toBe('queued');
    // Stored: a 32-byte HMAC, the numbers sealed; the code and the number in no column.
    const row = await t.db.pool.query(
      `SELECT to_jsonb(v) - 'code_hash' - 'to_sealed' - 'from_sealed' AS clear, code_hash, to_sealed
       FROM verifications v WHERE id = $1`,
      [view.id],
    );
    expect(row.rows[0].code_hash).toHaveLength(32);
    expect(JSON.stringify(row.rows[0].clear)).not.toContain(code);
    expect(JSON.stringify(row.rows[0].clear)).not.toContain(to.slice(1));
    expect((row.rows[0].to_sealed as Buffer).toString('latin1')).not.toContain(to.slice(1));
  });

  it('approves the right code once; a second check is 409 verification_already_used', async () => {
    const { view, code } = await start();
    const wrong = code === '000000' ? '111111' : '000000';
    const miss = await check(view.id, wrong);
    expect(miss.statusCode).toBe(422);
    expect(miss.json()).toEqual({
      error: {
        code: 'verification_code_incorrect',
        message: expect.any(String),
        details: { attemptsRemaining: 4 },
      },
    });
    const hit = await check(view.id, code);
    expect(hit.statusCode).toBe(200);
    expect(hit.json()).toMatchObject({ id: view.id, status: 'approved', attempts: 2, attemptsRemaining: 3 });
    const again = await check(view.id, code);
    expect(again.statusCode).toBe(409);
    expect(errorCode(again)).toBe('verification_already_used');
    expect((await call('GET', `/v1/verifications/${view.id}`)).json()).toMatchObject({ status: 'approved' });
  });

  it('20 concurrent wrong checks count 5 attempts at most, then the right code is locked out too', async () => {
    const { view, code } = await start();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const responses = await Promise.all(Array.from({ length: 20 }, () => check(view.id, wrong)));
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 422)).toHaveLength(4);
    expect(statuses.filter((s) => s === 423)).toHaveLength(16);
    expect(responses.every((r) => [422, 423].includes(r.statusCode))).toBe(true);
    const row = await t.db.pool.query('SELECT attempts, status FROM verifications WHERE id = $1', [view.id]);
    expect(row.rows[0]).toEqual({ attempts: 5, status: 'locked' });
    const audited = await t.db.pool.query(
      "SELECT actor, subject, details FROM audit_log WHERE action = 'verification.locked' AND subject = $1",
      [`verification:${view.id}`],
    );
    expect(audited.rows).toHaveLength(1);
    expect(audited.rows[0]).toMatchObject({
      actor: expect.stringMatching(/^api_key:/),
      details: { attempts: 5 },
    });
    const late = await check(view.id, code);
    expect(late.statusCode).toBe(423);
    expect(errorCode(late)).toBe('verification_locked');
  });

  it('an expired verification answers 410 verification_expired and reads as expired', async () => {
    const { view, code } = await start();
    await t.db.pool.query("UPDATE verifications SET expires_at = now() - interval '1 second' WHERE id = $1", [
      view.id,
    ]);
    expect((await call('GET', `/v1/verifications/${view.id}`)).json()).toMatchObject({ status: 'expired' });
    const late = await check(view.id, code);
    expect(late.statusCode).toBe(410);
    expect(errorCode(late)).toBe('verification_expired');
    const resend = await call('POST', `/v1/verifications/${view.id}/resend`);
    expect(errorCode(resend)).toBe('verification_expired');
  });

  it('records each outcome as a verification.* webhook event, without the code or the number', async () => {
    const a = await start();
    await check(a.view.id, a.code === '000000' ? '111111' : '000000');
    await check(a.view.id, a.code);
    const b = await start();
    for (let i = 0; i < 5; i += 1) await check(b.view.id, b.code === '000000' ? '111111' : '000000');
    const c = await start();
    await t.db.pool.query("UPDATE verifications SET expires_at = now() - interval '1 second' WHERE id = $1", [
      c.view.id,
    ]);
    await check(c.view.id, c.code);
    await check(c.view.id, c.code);
    const events = await t.db.pool.query<{ type: string; subject_id: string; data: Record<string, unknown> }>(
      'SELECT type, subject_id, data FROM webhook_events WHERE subject_id = ANY($1) ORDER BY sequence',
      [[a.view.id, b.view.id, c.view.id]],
    );
    const typesOf = (id: string) => events.rows.filter((e) => e.subject_id === id).map((e) => e.type);
    expect(typesOf(a.view.id)).toEqual(['verification.failed', 'verification.approved']);
    expect(typesOf(b.view.id)).toEqual([
      ...Array.from({ length: 4 }, () => 'verification.failed'),
      'verification.locked',
    ]);
    expect(typesOf(c.view.id)).toEqual(['verification.expired']);
    expect(events.rows[0]?.data).toMatchObject({ verificationId: a.view.id, to: a.view.to, attempts: 1 });
    const text = JSON.stringify(events.rows);
    for (const v of [a, b, c]) {
      expect(text).not.toContain(v.code);
      expect(text).not.toContain(v.to.slice(1));
    }
  });

  it('resend: 429 within the cool-down; afterwards a new code that replaces the old one', async () => {
    const { view, code } = await start();
    const soon = await call('POST', `/v1/verifications/${view.id}/resend`);
    expect(soon.statusCode).toBe(429);
    expect(errorCode(soon)).toBe('verification_resend_too_soon');
    expect(Number(soon.headers['retry-after'])).toBeGreaterThan(25);
    expect(Number(soon.headers['retry-after'])).toBeLessThanOrEqual(30);
    await t.db.pool.query(
      "UPDATE verifications SET last_sent_at = now() - interval '31 seconds' WHERE id = $1",
      [view.id],
    );
    const resent = await call('POST', `/v1/verifications/${view.id}/resend`);
    expect(resent.statusCode, resent.body).toBe(200);
    const after = resent.json<{ messageId: string; sendCount: number; status: string }>();
    expect(after).toMatchObject({ sendCount: 2, status: 'pending' });
    expect(after.messageId).not.toBe(view.messageId);
    const fresh = await codeOf(after.messageId);
    if (fresh !== code) {
      const old = await check(view.id, code);
      expect(errorCode(old)).toBe('verification_code_incorrect');
    }
    expect((await check(view.id, fresh)).statusCode).toBe(200);
  });

  it('resend stops after 5 sends: 409 verification_send_limit_reached', async () => {
    const { view } = await start();
    await t.db.pool.query(
      "UPDATE verifications SET send_count = 5, last_sent_at = now() - interval '1 minute' WHERE id = $1",
      [view.id],
    );
    const refused = await call('POST', `/v1/verifications/${view.id}/resend`);
    expect(refused.statusCode).toBe(409);
    expect(errorCode(refused)).toBe('verification_send_limit_reached');
  });

  it('a second verification to the same number within a minute is 429 verification_rate_limited', async () => {
    const to = freshNumber();
    await start(to);
    const again = await call('POST', '/v1/verifications', { to, brand: 'Acme' });
    expect(again.statusCode).toBe(429);
    expect(errorCode(again)).toBe('verification_rate_limited');
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(again.body).not.toContain(to.slice(1));
    // Another number is not affected.
    await start();
  });

  it('refuses invalid requests with stable codes and without echoing values', async () => {
    const to = freshNumber();
    const cases: [Record<string, unknown>, number, string][] = [
      [{ to, brand: 'Acme', template: 'Hello from {brand}' }, 400, 'verification_template_invalid'],
      [
        { to, brand: '京东', locale: 'zh-CN', template: '您的验证码是{code}' },
        400,
        'verification_template_invalid',
      ],
      [{ to, brand: 'Acme', template: `{code} ${'x'.repeat(200)}` }, 400, 'verification_template_invalid'],
      [{ to, brand: 'Acme', codeLength: 3 }, 400, 'invalid_request'],
      [{ to, brand: 'Acme', codeLength: 11 }, 400, 'invalid_request'],
      [{ to, brand: 'Acme', ttlSeconds: 59 }, 400, 'invalid_request'],
      [{ to, brand: 'Acme', ttlSeconds: 3601 }, 400, 'invalid_request'],
      [{ to, brand: 'Acme', locale: 'xx' }, 400, 'invalid_request'],
      [{ to, brand: '' }, 400, 'invalid_request'],
      [{ to: '07911123456', brand: 'Acme' }, 400, 'invalid_phone_number'],
      [{ to, brand: 'Acme', channel: 'voice' }, 400, 'invalid_request'],
    ];
    for (const [payload, status, code] of cases) {
      const response = await call('POST', '/v1/verifications', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(status);
      expect(errorCode(response)).toBe(code);
      expect(response.body).not.toContain(to.slice(1));
    }
    // None of them used up the number's one verification a minute.
    await start(to);
    const { view } = await start();
    for (const body of [{}, { code: 123456 }, { code: 'abc' }, { code: '1', extra: 1 }]) {
      const refused = await call('POST', `/v1/verifications/${view.id}/check`, body);
      expect(refused.statusCode).toBe(400);
      expect(errorCode(refused)).toBe('invalid_request');
    }
    // Malformed checks count no attempt.
    expect((await call('GET', `/v1/verifications/${view.id}`)).json()).toMatchObject({ attempts: 0 });
    const unknown = await check(uuidv7(), '123456');
    expect(unknown.statusCode).toBe(404);
    expect(errorCode(unknown)).toBe('verification_not_found');
    expect(errorCode(await call('GET', '/v1/verifications/not-a-uuid'))).toBe('verification_not_found');
  });

  it('another tenant cannot see or check a verification', async () => {
    const { view, code } = await start();
    const { seedTenant } = await import('@maskline/testing');
    const other = await seedTenant(t.db.pool, 'other');
    const response = await t.app.inject({
      method: 'POST',
      url: `/v1/verifications/${view.id}/check`,
      headers: { authorization: `Bearer ${other.apiKey}` },
      payload: { code },
    });
    expect(response.statusCode).toBe(404);
    expect((await call('GET', `/v1/verifications/${view.id}`)).json()).toMatchObject({ status: 'pending' });
  });

  it('a data-key rotation re-encrypts the sealed numbers; resends still reach the number', async () => {
    const { view, to } = await start();
    const version = await t.db.vault.rotateDataKey(t.tenantId, 0);
    await reencrypt(t.db.pool, t.db.vault, SEALED_TABLES);
    const row = await t.db.pool.query('SELECT key_version FROM verifications WHERE id = $1', [view.id]);
    expect(row.rows[0].key_version).toBe(version);
    await t.db.pool.query(
      "UPDATE verifications SET last_sent_at = now() - interval '1 minute' WHERE id = $1",
      [view.id],
    );
    const resent = await call('POST', `/v1/verifications/${view.id}/resend`);
    expect(resent.statusCode, resent.body).toBe(200);
    const record = await t.messages.loadForDelivery(resent.json<{ messageId: string }>().messageId);
    expect(record?.content?.to).toBe(to);
  });

  it('crypto-shredding the tenant blanks the masked number and stops sends and resends (410)', async () => {
    const { seedTenant } = await import('@maskline/testing');
    const doomed = await seedTenant(t.db.pool, 'doomed');
    const as = (method: 'GET' | 'POST', url: string, payload?: object) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${doomed.apiKey}` },
        ...(payload ? { payload } : {}),
      });
    const created = await as('POST', '/v1/verifications', { to: freshNumber(), brand: 'Acme' });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();
    await t.db.pool.query(
      "UPDATE verifications SET last_sent_at = now() - interval '1 minute' WHERE id = $1",
      [id],
    );
    await t.db.vault.shredTenant(doomed.tenantId);
    expect((await as('GET', `/v1/verifications/${id}`)).json()).toMatchObject({ to: '' });
    const resend = await as('POST', `/v1/verifications/${id}/resend`);
    expect(resend.statusCode).toBe(410);
    expect(errorCode(resend)).toBe('tenant_keys_destroyed');
    const again = await as('POST', '/v1/verifications', { to: freshNumber(), brand: 'Acme' });
    expect(again.statusCode).toBe(410);
    expect(errorCode(again)).toBe('tenant_keys_destroyed');
  });

  it('after all of the above: no code and no number in any log line, answer or queued job', async () => {
    const { view, code, to } = await start();
    await check(view.id, code);
    const keys = await t.redis.keys(`${t.queuePrefix}*`);
    const jobs: string[] = [];
    for (const key of keys) {
      const type = await t.redis.type(key);
      if (type === 'hash') jobs.push(JSON.stringify(await t.redis.hgetall(key)));
      else if (type === 'string') jobs.push((await t.redis.get(key)) ?? '');
      else if (type === 'list') jobs.push(JSON.stringify(await t.redis.lrange(key, 0, -1)));
      else if (type === 'zset') jobs.push(JSON.stringify(await t.redis.zrange(key, 0, -1)));
    }
    expect(jobs.join('\n')).toContain(view.messageId);
    const limitKeys = await t.redis.keys(`${t.queuePrefix}-verify-limit*`);
    expect(limitKeys.length).toBeGreaterThan(0);
    const everything = [...lines, ...answers.slice(0, -1), ...jobs, ...limitKeys].join('\n');
    expect(everything).not.toContain(to.slice(1));
    expect(everything).not.toContain(code);
  });
});

describe('verification limits per number range (inject, real PostgreSQL and Redis)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      rateLimitPerMinute: 100_000,
      verifications: { limits: { ...LIMITS, perRangeHour: 2 } },
    });
  });
  afterAll(async () => t?.close());

  it('refuses a third verification in an hour to another number of the same range, not to another range', async () => {
    const send = (to: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/verifications',
        headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json' },
        payload: { to, brand: 'Acme' },
      });
    expect((await send('+447900911001')).statusCode).toBe(201);
    expect((await send('+447900911002')).statusCode).toBe(201);
    const refused = await send('+447900911003');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('verification_rate_limited');
    expect(refused.body).not.toContain('7900911');
    expect((await send('+447900921001')).statusCode).toBe(201);
  });
});

describe("a tenant's own verification limits (inject, real PostgreSQL and Redis)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ rateLimitPerMinute: 100_000, verifications: { limits: LIMITS } });
  });
  afterAll(async () => t?.close());

  const call = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${t.apiKey}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('reads the defaults, raises one for the tenant (applied at once), resets; audited; bad input refused', async () => {
    const before = await call('GET', '/v1/verifications/limits');
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual({ effective: LIMITS, overrides: {} });
    const to = '+447900931001';
    expect((await call('POST', '/v1/verifications', { to, brand: 'Acme' })).statusCode).toBe(201);
    expect((await call('POST', '/v1/verifications', { to, brand: 'Acme' })).statusCode).toBe(429);

    const set = await call('PUT', '/v1/verifications/limits', {
      perDestinationMinute: 3,
      perRangeHour: null,
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({
      effective: { ...LIMITS, perDestinationMinute: 3 },
      overrides: { perDestinationMinute: 3 },
    });
    expect((await call('POST', '/v1/verifications', { to, brand: 'Acme' })).statusCode).toBe(201);
    expect((await call('POST', '/v1/verifications', { to, brand: 'Acme' })).statusCode).toBe(201);
    expect((await call('POST', '/v1/verifications', { to, brand: 'Acme' })).statusCode).toBe(429);

    for (const bad of [{ perDestinationMinute: -1 }, { perDestinationMinute: 1.5 }, { nope: 1 }, [1]]) {
      const refused = await call('PUT', '/v1/verifications/limits', bad);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.code).toBe('invalid_request');
    }
    expect((await call('DELETE', '/v1/verifications/limits')).statusCode).toBe(204);
    expect((await call('GET', '/v1/verifications/limits')).json()).toEqual({
      effective: LIMITS,
      overrides: {},
    });
    const audited = await t.db.vault.audit.list({ action: 'verification.limits_set' });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ tenantId: t.tenantId });
    expect(await t.db.vault.audit.list({ action: 'verification.limits_reset' })).toHaveLength(1);
  });
});
