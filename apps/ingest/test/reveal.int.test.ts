import { RevealGrantRepository } from '@maskline/storage';
import { seedTenant } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Real numbers only through an audited, time-bounded grant. */
describe('POST /v1/messages/:id/reveal', () => {
  let host: TestApp;
  let grants: RevealGrantRepository;
  let messageId: string;
  let keyId: string;

  beforeAll(async () => {
    host = await startTestApp({ rateLimitPerMinute: 1000 });
    grants = new RevealGrantRepository(host.db.pool);
    const sent = await host.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${host.apiKey}` },
      payload: { to: '+8613812345678', from: '+447911123456', body: 'never revealed 5521' },
    });
    messageId = sent.json().id;
    keyId = (await host.db.pool.query('SELECT id FROM api_keys WHERE tenant_id = $1', [host.tenantId]))
      .rows[0].id;
  });
  afterAll(async () => {
    await host.close();
  });

  const reveal = (id = messageId, apiKey = host.apiKey) =>
    host.app.inject({
      method: 'POST',
      url: `/v1/messages/${id}/reveal`,
      headers: { authorization: `Bearer ${apiKey}` },
    });

  it('refuses without a grant, and audits the attempt', async () => {
    const res = await reveal();
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: { code: 'reveal_not_granted', message: expect.any(String) } });
    expect(res.body).not.toContain('8613812345678');
    const denied = await host.db.vault.audit.list({ action: 'number.reveal_denied' });
    expect(denied).toEqual([
      expect.objectContaining({ actor: `api_key:${keyId}`, subject: `message:${messageId}` }),
    ]);
  });

  it('shows the real numbers (never the body) while a grant is in force, and audits each reveal', async () => {
    const grant = await grants.create(keyId, 'support ticket 4411', 'cli:test', 60_000);
    const res = await reveal();
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      id: messageId,
      to: '+8613812345678',
      from: '+447911123456',
      grantExpiresAt: grant!.expiresAt.toISOString(),
    });
    expect(res.body).not.toContain('never revealed');
    const revealed = await host.db.vault.audit.list({ action: 'number.revealed' });
    expect(revealed).toEqual([
      expect.objectContaining({
        tenantId: host.tenantId,
        actor: `api_key:${keyId}`,
        subject: `message:${messageId}`,
        details: { grantId: grant!.id, fields: 'to,from' },
      }),
    ]);
    // The audit entry itself names no number.
    expect(JSON.stringify(revealed)).not.toContain('8613812345678');
    expect((await host.db.vault.audit.verify()).ok).toBe(true);
  });

  it('stops at expiry or revocation', async () => {
    const active = await grants.findActive(keyId);
    expect(await grants.revoke(active!.id)).toBe(true);
    expect((await reveal()).statusCode).toBe(403);
    await grants.create(keyId, 'short', 'cli:test', 1);
    await new Promise((r) => setTimeout(r, 20));
    expect((await reveal()).statusCode).toBe(403);
  });

  it('never reveals another tenant’s message, even with a grant', async () => {
    const other = await seedTenant(host.db.pool, 'other tenant');
    const otherKeyId = (
      await host.db.pool.query('SELECT id FROM api_keys WHERE tenant_id = $1', [other.tenantId])
    ).rows[0].id;
    await grants.create(otherKeyId, 'probing', 'cli:test', 60_000);
    const res = await reveal(messageId, other.apiKey);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('message_not_found');
  });
});
