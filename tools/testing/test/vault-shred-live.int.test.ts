import { InboundRepository, MessageRepository, RevealGrantRepository } from '@maskline/storage';
import { PgVault } from '@maskline/vault';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testMessage } from '../src/seed.js';
import { StackFixture } from '../src/stack-fixture.js';

const RECIPIENT = '+4915712340000';
const LATE = '+4915798760000';
const PARTICIPANTS = ['+447912300111', '+447912300222'];
const VIRTUAL = '+447911200001';
const SENDER = '+447912300333';

/**
 * Shredding a tenant under live traffic, with the real apps: the delivery worker has the
 * tenant's keys cached (TTL 30 s), yet a message accepted just before the shred is not
 * delivered, and no masked number of the tenant is left in the API or in any row.
 */
describe('shredding a tenant while its messages are in flight', () => {
  const stack = new StackFixture({
    redisUrl: inject('redisUrl'),
    postgresUrl: inject('postgresUrl'),
    // The reconciler enqueues a row left in accepted after 1 s: the message of the race.
    ingestEnv: { RECONCILE_AFTER_MS: '1000', RECONCILE_INTERVAL_MS: '250' },
    logLevel: 'info',
    tracing: false,
  });
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.ingestUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${stack.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    await stack.start();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('fails the message accepted just before the shred with tenant_keys_destroyed, and blanks every masked form', async () => {
    // The worker delivers one message: it now holds the tenant's keys in its cache.
    const first = await stack.send(
      { to: RECIPIENT, from: 'Maskline', body: 'before the shred' },
      { 'idempotency-key': 'shred-1' },
    );
    expect(first.status).toBe(202);
    const firstId = first.body.id as string;
    expect((await stack.waitForStatus([firstId], ['submitted', 'delivered'])).get(firstId)).toMatch(
      /submitted|delivered/,
    );

    // Masking data with masked forms: a session with two participants, an inbound message.
    expect(
      (
        await api('POST', '/v1/masking/numbers/import', {
          carrier: 'sim',
          numbers: [{ number: VIRTUAL, country: 'GB' }],
        })
      ).status,
    ).toBe(200);
    const session = await api('POST', '/v1/masking/sessions', { mode: 'pair', ttlSeconds: 300 });
    expect(session.status).toBe(201);
    const sessionId = session.json.id as string;
    const mapped = await api('POST', `/v1/masking/sessions/${sessionId}/participants`, {
      participants: PARTICIPANTS,
    });
    expect(JSON.stringify(mapped.json)).toMatch(/\+44\d*\*{4}0111/);
    await new InboundRepository(stack.db.pool, stack.db.vault).insert('sim', {
      type: 'inbound',
      from: SENDER,
      to: VIRTUAL,
      body: 'hello inbound',
      receivedAt: new Date().toISOString(),
    });

    // Accepted (committed, not yet enqueued), then the operator shreds from another process.
    const late = testMessage(stack.tenantId, { to: LATE, body: 'accepted just before the shred' });
    await new MessageRepository(stack.db.pool, stack.db.vault).insertAccepted(late);
    const operator = new PgVault({
      pool: stack.db.pool,
      keyProvider: stack.db.keyring,
      actor: 'test:operator',
    });
    expect(await operator.shredTenant(stack.tenantId)).toBeGreaterThan(0);
    const shredAt = Date.now();

    const final = await stack.waitForStatus([late.id], ['failed', 'rejected', 'undeliverable'], 30_000);
    console.log(
      `message accepted before the shred reached its final status ${Date.now() - shredAt} ms after the shred`,
    );
    const row = (
      await stack.db.pool.query('SELECT status, error_code, submitted_at FROM messages WHERE id = $1', [
        late.id,
      ])
    ).rows[0];
    expect(final.get(late.id)).toBe(row.status);
    expect(row).toMatchObject({ error_code: 'tenant_keys_destroyed', submitted_at: null });

    // The ingest heard the shred too: new sends and reveals are refused.
    const refused = await stack.send({ to: RECIPIENT, from: 'Maskline', body: 'after the shred' });
    expect(refused).toMatchObject({ status: 410, body: { error: { code: 'tenant_keys_destroyed' } } });
    const apiKeyId = (
      await stack.db.pool.query('SELECT id FROM api_keys WHERE tenant_id = $1', [stack.tenantId])
    ).rows[0].id;
    await new RevealGrantRepository(stack.db.pool).create(apiKeyId, 'shred test', 'test', 60_000);
    const reveal = await api('POST', `/v1/messages/${firstId}/reveal`);
    expect(reveal).toMatchObject({ status: 410, json: { error: { code: 'tenant_keys_destroyed' } } });

    // The API shows no digit of any number of the tenant.
    const shown = await api('GET', `/v1/messages/${firstId}`);
    expect(shown.status).toBe(200);
    expect(shown.json.to ?? '').not.toMatch(/\d/);
    const shownSession = await api('GET', `/v1/masking/sessions/${sessionId}`);
    for (const p of shownSession.json.participants as { number: string }[])
      expect(p.number).not.toMatch(/\d/);

    // And neither does a dump of the rows that stored masked forms.
    const dump = JSON.stringify(
      (
        await stack.db.pool.query(
          `SELECT json_build_object(
             'messages', (SELECT json_agg(m) FROM messages m WHERE tenant_id = $1),
             'participants', (SELECT json_agg(p) FROM masking_participants p WHERE tenant_id = $1),
             'events', (SELECT json_agg(e) FROM masking_events e WHERE tenant_id = $1),
             'inbound', (SELECT json_agg(i) FROM inbound_messages i WHERE to_number = $2)) AS dump`,
          [stack.tenantId, VIRTUAL],
        )
      ).rows[0].dump,
    );
    expect(dump).toContain(sessionId);
    expect(dump).not.toMatch(/\*{4}/);
    // (Sealed columns are random bytes now: only the '+'-prefixed forms are searched.)
    for (const number of [RECIPIENT, LATE, SENDER, ...PARTICIPANTS])
      expect(dump).not.toContain(number.slice(0, 7));
    const digests = await stack.db.pool.query(
      'SELECT count(*)::int AS n FROM messages WHERE tenant_id = $1 AND request_digest IS NOT NULL',
      [stack.tenantId],
    );
    expect(digests.rows[0].n).toBe(0);
    const inbound = await stack.db.pool.query(
      'SELECT from_masked, from_sealed, body_sealed FROM inbound_messages WHERE to_number = $1',
      [VIRTUAL],
    );
    expect(inbound.rows).toEqual([{ from_masked: null, from_sealed: null, body_sealed: null }]);
    await operator.close();
  });
});
