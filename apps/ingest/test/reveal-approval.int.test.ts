import { createTestDatabase, seedTenant, type TestDatabase } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type IngestProcess, startIngestProcess } from './support/ingest-process.js';
import { bearerCall, type SignedInUser, signedInUser } from './support/signed-in-users.js';

const TO = '+447400123456';

/**
 * Four-eyes reveal approval through HTTP against the real ingest process: an admin asks
 * to see real numbers, another admin approves, and only then does the reveal work; the
 * requester cannot approve itself, an API key cannot approve, and every step is audited.
 */
describe('reveal grants with four eyes (real ingest process)', () => {
  let db: TestDatabase;
  let ingest: IngestProcess;
  let tenantId = '';
  let apiKey = '';
  let requester: SignedInUser;
  let approver: SignedInUser;
  let analyst: SignedInUser;
  let messageId = '';
  const call = bearerCall(() => ingest.url);

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId, apiKey } = await seedTenant(db.pool));
    ingest = await startIngestProcess(db, inject('redisUrl'));
    requester = await signedInUser(db, call, tenantId, 'admin');
    approver = await signedInUser(db, call, tenantId, 'owner');
    analyst = await signedInUser(db, call, tenantId, 'analyst');
    const sent = await call('POST', '/v1/messages', { to: TO, from: 'Maskline', body: 'hi' }, apiKey);
    expect(sent.status).toBe(202);
    messageId = String(sent.body.id);
  }, 60_000);
  afterAll(async () => {
    await ingest?.stop();
    await db?.drop();
  });

  const reveal = (token: string) => call('POST', `/v1/messages/${messageId}/reveal`, {}, token);
  const errorOf = (answer: { body: Record<string, unknown> }) =>
    (answer.body.error as { code?: string })?.code;

  it('keeps a requested grant pending until another person approves it; then the requester reveals', async () => {
    expect((await call('GET', '/v1/reveal-policy', undefined, approver.token)).body).toEqual({
      fourEyes: true,
    });
    const asked = await call(
      'POST',
      '/v1/reveal-grants',
      { reason: 'ticket SUP-4411', durationMinutes: 5 },
      requester.token,
    );
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ state: 'pending', holder: `user:${requester.id}`, decidedBy: null });
    const grantId = String(asked.body.id);

    // Pending is not granted.
    expect(errorOf(await reveal(requester.token))).toBe('reveal_not_granted');
    // Not by the requester itself, nor with an API key holding every scope.
    const self = await call('POST', `/v1/reveal-grants/${grantId}/approve`, undefined, requester.token);
    expect([self.status, errorOf(self)]).toEqual([403, 'reveal_four_eyes']);
    const byKey = await call('POST', `/v1/reveal-grants/${grantId}/approve`, undefined, apiKey);
    expect(byKey.status).toBe(403);
    // An analyst lacks the scope altogether.
    const byAnalyst = await call('POST', `/v1/reveal-grants/${grantId}/approve`, undefined, analyst.token);
    expect([byAnalyst.status, errorOf(byAnalyst)]).toEqual([403, 'forbidden']);

    const pending = await call('GET', '/v1/reveal-grants?state=pending', undefined, approver.token);
    expect((pending.body.data as { id: string }[]).map((g) => g.id)).toEqual([grantId]);
    const approved = await call('POST', `/v1/reveal-grants/${grantId}/approve`, undefined, approver.token);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'active', decidedBy: `user:${approver.id}` });
    const minutes = (Date.parse(String(approved.body.expiresAt)) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(4.9);
    expect(minutes).toBeLessThanOrEqual(5);
    // Decided once: a second decision is a conflict.
    const again = await call('POST', `/v1/reveal-grants/${grantId}/deny`, undefined, approver.token);
    expect([again.status, errorOf(again)]).toEqual([409, 'reveal_grant_not_pending']);

    const shown = await reveal(requester.token);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id: messageId, to: TO });
    // The approver holds no grant of its own.
    expect(errorOf(await reveal(approver.token))).toBe('reveal_not_granted');
    // The requester follows its own grant; another's is not found.
    expect((await call('GET', `/v1/reveal-grants/${grantId}`, undefined, requester.token)).body.state).toBe(
      'active',
    );
    expect(errorOf(await call('GET', `/v1/reveal-grants/${grantId}`, undefined, approver.token))).toBe(
      'reveal_grant_not_found',
    );

    // Revoked, the reveal stops at once.
    expect((await call('DELETE', `/v1/reveal-grants/${grantId}`, undefined, approver.token)).status).toBe(
      204,
    );
    expect(errorOf(await reveal(requester.token))).toBe('reveal_not_granted');
  });

  it('denies a request on decision, and refuses a reason that carries a number', async () => {
    const asked = await call('POST', '/v1/reveal-grants', { reason: 'curious' }, requester.token);
    const denied = await call('POST', `/v1/reveal-grants/${asked.body.id}/deny`, undefined, approver.token);
    expect(denied.body).toMatchObject({ state: 'denied', decidedBy: `user:${approver.id}` });
    expect(errorOf(await reveal(requester.token))).toBe('reveal_not_granted');
    const withNumber = await call(
      'POST',
      '/v1/reveal-grants',
      { reason: `call ${TO} back` },
      requester.token,
    );
    expect([withNumber.status, errorOf(withNumber)]).toEqual([400, 'invalid_request']);
    expect(JSON.stringify(withNumber.body)).not.toContain(TO);
  });

  it('grants at once when the tenant turns four eyes off (audited), for users and keys alike', async () => {
    expect((await call('PUT', '/v1/reveal-policy', { fourEyes: false }, approver.token)).body).toEqual({
      fourEyes: false,
    });
    const asked = await call('POST', '/v1/reveal-grants', { reason: 'incident INC-7' }, apiKey);
    expect(asked.body).toMatchObject({ state: 'active', holder: expect.stringMatching(/^api_key:/) });
    expect((await reveal(apiKey)).status).toBe(200);
    await call('PUT', '/v1/reveal-policy', { fourEyes: true }, approver.token);
  });

  it('writes every step to the audit log with its actor, and no number', async () => {
    const { rows } = await db.pool.query<{ action: string; actor: string; details: unknown }>(
      `SELECT action, actor, details FROM audit_log WHERE tenant_id = $1 AND action LIKE 'reveal.%' ORDER BY seq`,
      [tenantId],
    );
    const steps = rows.map((r) => `${r.action} ${r.actor.split(':')[0]}`);
    expect(steps).toEqual([
      'reveal.requested user',
      'reveal.approval_refused user',
      'reveal.approval_refused api_key',
      'reveal.granted user',
      'reveal.revoked user',
      'reveal.requested user',
      'reveal.denied user',
      'reveal.policy_changed user',
      'reveal.granted api_key',
      'reveal.policy_changed user',
    ]);
    expect(rows.find((r) => r.action === 'reveal.granted')?.actor).toBe(`user:${approver.id}`);
    expect(JSON.stringify(rows)).not.toContain(TO.slice(1));
    const revealed = await db.pool.query(
      `SELECT actor FROM audit_log WHERE tenant_id = $1 AND action = 'number.revealed' ORDER BY seq`,
      [tenantId],
    );
    expect(revealed.rows.map((r) => r.actor)).toEqual([
      `user:${requester.id}`,
      expect.stringMatching(/^api_key:/),
    ]);
  });
});
