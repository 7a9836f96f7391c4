import { uuidv7 } from '@maskline/core';
import { ApiKeyRepository } from '@maskline/storage';
import { TEST_PEPPER } from '@maskline/testing';
import { extractVerificationCode } from '@maskline/verification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The thresholds under test: the defaults (20 sends, 10 %, ranges of 10,000 numbers). */
const PUMPING = { minSends: 20, minCompletionRate: 0.1, rangeDigits: 4 };
/** The bound the test holds the detector to: attack sends that go out before the block. */
const MAX_ATTACK_SENDS_DELIVERED = PUMPING.minSends - 1;

const ATTACK_SENDS = 2_000;
const ATTACK_PREFIX = '+3736900';
/** Sequential numbers of one premium-looking range (+373 69 00 0000 .. 1999), never checked. */
const attackNumber = (i: number) => `${ATTACK_PREFIX}${String(i).padStart(4, '0')}`;

const NORMAL_USERS = 200;
/** Normal users spread over ten other ranges (+44 7946 0r dddd), 20 per range. */
const normalNumber = (u: number) => `+4479460${u % 10}${String(Math.floor(u / 10)).padStart(4, '0')}`;
/** One user in ten, in every range, never types the code (gave up, SMS late): 90 % complete. */
const checksCode = (u: number) => Math.floor(u / 10) % 10 !== 3;

/**
 * Replays an SMS-pumping attack through the real ingest app (inject) over real PostgreSQL
 * and Redis: 2,000 verifications to sequential numbers of one range, never checked, mixed
 * with 200 normal users who mostly type their code.
 */
describe('SMS-pumping defence (attack replay, real PostgreSQL and Redis)', () => {
  let t: TestApp;
  const lines: string[] = [];

  beforeAll(async () => {
    const log = (fields: object, message: string) => void lines.push(`${message} ${JSON.stringify(fields)}`);
    const logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
    t = await startTestApp({
      rateLimitPerMinute: 1_000_000,
      logger,
      verifications: {
        // Each number is used once: the per-number limits never bite; the tenant's hour limit is off.
        limits: { perDestinationMinute: 1, perDestinationHour: 5, perDestinationDay: 10, perTenantHour: 0 },
        pumping: PUMPING,
      },
    });
    await t.db.pool.query(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, event_types) VALUES ($1, $2, 'https://hooks.example/s', '{security.*}')`,
      [uuidv7(), t.tenantId],
    );
  });
  afterAll(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, key = t.apiKey) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(payload ? { payload } : {}),
    });
  const errorOf = (r: { json: () => unknown }) => (r.json() as { error: { code: string } }).error;

  async function codeOf(messageId: string): Promise<string> {
    const record = await t.messages.loadForDelivery(messageId);
    const code = record?.content ? extractVerificationCode(record.content.body)?.code : undefined;
    if (!code) throw new Error('no code in the message');
    return code;
  }

  const attack: { status: number; code?: string }[] = [];
  const normal: { status: number; checked?: number; code?: string }[] = [];
  let blockId = '';

  it('blocks the attacked range within the bound; every normal user is sent and approved', async () => {
    for (let i = 0; i < ATTACK_SENDS; i += 1) {
      const sent = await call('POST', '/v1/verifications', { to: attackNumber(i), brand: 'Acme' });
      attack.push({
        status: sent.statusCode,
        ...(sent.statusCode === 201 ? {} : { code: errorOf(sent).code }),
      });
      if (i % 10 !== 0) continue;
      const u = i / 10;
      const started = await call('POST', '/v1/verifications', { to: normalNumber(u), brand: 'Acme' });
      if (started.statusCode !== 201) {
        normal.push({ status: started.statusCode, code: errorOf(started).code });
        continue;
      }
      const view = started.json<{ id: string; messageId: string }>();
      if (!checksCode(u)) {
        normal.push({ status: 201 });
        continue;
      }
      const checked = await call('POST', `/v1/verifications/${view.id}/check`, {
        code: await codeOf(view.messageId),
      });
      normal.push({ status: 201, checked: checked.statusCode });
    }

    const firstRefused = attack.findIndex((a) => a.status !== 201);
    expect(firstRefused).toBe(MAX_ATTACK_SENDS_DELIVERED);
    expect(attack.filter((a) => a.status === 201)).toHaveLength(MAX_ATTACK_SENDS_DELIVERED);
    // The send that tripped the block and every later one: 403, never a 5xx.
    expect(
      attack.slice(firstRefused).every((a) => a.status === 403 && a.code === 'verification_range_blocked'),
    ).toBe(true);

    expect(normal).toHaveLength(NORMAL_USERS);
    expect(normal.filter((n) => n.status !== 201)).toEqual([]);
    expect(normal.filter((n) => n.checked !== undefined).every((n) => n.checked === 200)).toBe(true);
    expect(normal.filter((n) => n.checked === 200)).toHaveLength(180);

    const blocks = await t.db.pool.query(
      'SELECT id, range_prefix, country, sends, approvals FROM verification_blocks WHERE tenant_id = $1',
      [t.tenantId],
    );
    expect(blocks.rows).toEqual([
      { id: expect.any(String), range_prefix: ATTACK_PREFIX, country: 'MD', sends: 20, approvals: 0 },
    ]);
    blockId = blocks.rows[0].id;
  });

  it('answers a blocked send with the block, and writes one security.alert event and one audit entry', async () => {
    const refused = await call('POST', '/v1/verifications', { to: attackNumber(5_000), brand: 'Acme' });
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused)).toMatchObject({
      code: 'verification_range_blocked',
      details: { blockId, expiresAt: expect.any(String) },
    });
    expect(refused.body).not.toContain(ATTACK_PREFIX);

    const events = await t.db.pool.query(
      `SELECT subject_id, data FROM webhook_events WHERE tenant_id = $1 AND type = 'security.alert'`,
      [t.tenantId],
    );
    expect(events.rows).toEqual([
      {
        subject_id: blockId,
        data: {
          kind: 'verification_pumping',
          blockId,
          range: ATTACK_PREFIX,
          country: 'MD',
          sends: 20,
          approvals: 0,
          completionRate: 0,
          windowSeconds: 3600,
          expiresAt: expect.any(String),
        },
      },
    ]);
    const deliveries = await t.db.pool.query(
      'SELECT count(*)::int AS n FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.type = $1 AND e.tenant_id = $2',
      ['security.alert', t.tenantId],
    );
    expect(deliveries.rows[0].n).toBe(1);

    const audit = await t.db.pool.query(
      "SELECT actor, subject, details FROM audit_log WHERE action = 'verification.range_blocked' AND tenant_id = $1",
      [t.tenantId],
    );
    expect(audit.rows).toEqual([
      {
        actor: 'system:pumping-detector',
        subject: `verification_block:${blockId}`,
        details: expect.objectContaining({
          reason: 'low_completion_rate',
          country: 'MD',
          sends: 20,
          approvals: 0,
        }),
      },
    ]);
    // The append-only log keeps no part of a number.
    expect(JSON.stringify(audit.rows)).not.toContain(ATTACK_PREFIX.slice(1));
  });

  it('keeps numbers and range prefixes out of Redis keys and values and out of log lines', async () => {
    const keys = await t.redis.keys(`${t.queuePrefix}*`);
    expect(keys.some((k) => k.includes('-verify-pump'))).toBe(true);
    const values = await Promise.all(
      keys.map(async (k) => ((await t.redis.type(k)) === 'string' ? ((await t.redis.get(k)) ?? '') : '')),
    );
    const hashes = await Promise.all(
      keys.map(async (k) =>
        (await t.redis.type(k)) === 'hash' ? JSON.stringify(await t.redis.hgetall(k)) : '',
      ),
    );
    const everything = [...keys, ...values, ...hashes, ...lines].join('\n');
    expect(everything).not.toContain(ATTACK_PREFIX.slice(1));
    expect(everything).not.toContain('4479460');
  });

  it('lists blocks to a key with routes:manage only; lifting one lets the range send again', async () => {
    const { apiKey: sender } = await new ApiKeyRepository(t.db.pool, TEST_PEPPER).createKey({
      tenantId: t.tenantId,
      name: 'sender only',
      scopes: ['messages:send', 'messages:read'],
      environment: 'live',
      expiresAt: null,
    });
    const forbidden = await call('GET', '/v1/verifications/blocks', undefined, sender);
    expect(forbidden.statusCode).toBe(403);
    expect(errorOf(forbidden)).toMatchObject({ code: 'forbidden', details: { scope: 'routes:manage' } });
    expect((await call('DELETE', `/v1/verifications/blocks/${blockId}`, undefined, sender)).statusCode).toBe(
      403,
    );

    const listed = await call('GET', '/v1/verifications/blocks');
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual({
      data: [
        expect.objectContaining({
          id: blockId,
          status: 'active',
          range: ATTACK_PREFIX,
          country: 'MD',
          reason: 'low_completion_rate',
          sends: 20,
          approvals: 0,
          liftedAt: null,
        }),
      ],
    });

    const lifted = await call('DELETE', `/v1/verifications/blocks/${blockId}`);
    expect(lifted.statusCode).toBe(200);
    expect(lifted.json()).toMatchObject({
      id: blockId,
      status: 'lifted',
      liftedBy: expect.stringMatching(/^api_key:/),
    });
    const again = await call('POST', '/v1/verifications', { to: attackNumber(6_000), brand: 'Acme' });
    expect(again.statusCode).toBe(201);
    const audit = await t.db.pool.query(
      "SELECT subject FROM audit_log WHERE action = 'verification.range_unblocked' AND tenant_id = $1",
      [t.tenantId],
    );
    expect(audit.rows).toEqual([{ subject: `verification_block:${blockId}` }]);

    const unknown = await call('DELETE', `/v1/verifications/blocks/${uuidv7()}`);
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown).code).toBe('verification_block_not_found');
    expect(errorOf(await call('DELETE', '/v1/verifications/blocks/not-an-id')).code).toBe(
      'verification_block_not_found',
    );
  });

  it('after a lift the range counts afresh: it is blocked again only after another full window of sends', async () => {
    // One send went out after the lift (above); 18 more pass, the 20th since the lift trips it.
    const results: number[] = [];
    for (let i = 0; i < 19; i += 1) {
      results.push(
        (await call('POST', '/v1/verifications', { to: attackNumber(7_000 + i), brand: 'Acme' })).statusCode,
      );
    }
    expect(results.slice(0, 18).every((s) => s === 201)).toBe(true);
    expect(results[18]).toBe(403);
    const active = await call('GET', '/v1/verifications/blocks');
    expect(active.json<{ data: { status: string }[] }>().data.map((b) => b.status)).toEqual([
      'active',
      'lifted',
    ]);
  });
});
