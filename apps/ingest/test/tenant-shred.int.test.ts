import { RevealGrantRepository } from '@maskline/storage';
import { createTestDatabase, seedTenant, type TestDatabase } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type IngestProcess, startIngestProcess } from './support/ingest-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CACHE_TTL_MS = 300;

/**
 * Crypto-shredding a tenant while two tenants send through one real ingest process: the
 * shredded tenant's requests fail alone (410 tenant_keys_destroyed, permanent: no
 * Retry-After), the other tenant's requests sharing the same group-commit batches all
 * succeed; the masking routes and reveal answer 410 for the shredded tenant too.
 */
describe('a live shred (real ingest process, real PostgreSQL)', () => {
  let db: TestDatabase;
  let ingest: IngestProcess;
  let doomed: { tenantId: string; apiKey: string };
  let kept: { tenantId: string; apiKey: string };

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    doomed = await seedTenant(db.pool, 'doomed');
    kept = await seedTenant(db.pool, 'kept');
    // The shred reaches the ingest through its key cache expiring (no notification here).
    ingest = await startIngestProcess(db, inject('redisUrl'), { VAULT_CACHE_TTL_MS: String(CACHE_TTL_MS) });
  });
  afterAll(async () => {
    await ingest?.stop();
    await db?.drop();
  });

  const call = async (apiKey: string, path: string, payload?: unknown) => {
    const response = await fetch(`${ingest.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as {
        id?: string;
        error?: { code: string };
        participants?: { id: string }[];
      },
    };
  };

  it('fails only the shredded tenant, with 410 on sends, masking and reveal', async () => {
    // Before the shred: a message to reveal later and a masking session with a participant.
    const earlier = await call(doomed.apiKey, '/v1/messages', {
      to: '+447911123456',
      from: 'Maskline',
      body: 'sent before the shred',
    });
    expect(earlier.status).toBe(202);
    await call(doomed.apiKey, '/v1/masking/numbers/import', {
      carrier: 'sim',
      numbers: [
        { number: '+447911200001', country: 'GB' },
        { number: '+447911200002', country: 'GB' },
      ],
    });
    const session = await call(doomed.apiKey, '/v1/masking/sessions', { mode: 'pair', ttlSeconds: 300 });
    expect(session.status).toBe(201);
    const mapped = await call(doomed.apiKey, `/v1/masking/sessions/${session.body.id}/participants`, {
      participants: ['+447912300001', '+447912300002'],
    });
    expect(mapped.status).toBe(200);
    const participantId = mapped.body.participants![0]!.id;
    const keyId = (await db.pool.query('SELECT id FROM api_keys WHERE tenant_id = $1', [doomed.tenantId]))
      .rows[0].id as string;
    await new RevealGrantRepository(db.pool).create(keyId, 'support ticket', 'cli:test', 600_000);
    expect((await call(doomed.apiKey, `/v1/messages/${earlier.body.id}/reveal`)).status).toBe(200);

    // Both tenants send concurrently; the doomed one is shredded mid-traffic.
    const results = { doomed: [] as number[], kept: [] as number[], keptIds: [] as string[] };
    /** The doomed tenant's sends: when each started and was answered, and how. */
    const doomedSends: { status: number; startedAt: number; answeredAt: number }[] = [];
    let running = true;
    const sender = async (tenant: 'doomed' | 'kept', worker: number) => {
      const apiKey = tenant === 'doomed' ? doomed.apiKey : kept.apiKey;
      for (let i = 0; running; i += 1) {
        const startedAt = performance.now();
        const r = await call(apiKey, '/v1/messages', {
          to: `+4479112${String(10000 + worker * 1000 + (i % 1000)).slice(-5)}`,
          from: 'Maskline',
          body: 'shred check',
        });
        results[tenant].push(r.status);
        if (tenant === 'doomed')
          doomedSends.push({ status: r.status, startedAt, answeredAt: performance.now() });
        if (tenant === 'kept' && r.status === 202) results.keptIds.push(String(r.body.id));
      }
    };
    const senders = [0, 1, 2, 3].flatMap((w) => [sender('doomed', w), sender('kept', w + 4)]);
    await sleep(700);
    await db.vault.shredTenant(doomed.tenantId);
    await sleep(CACHE_TTL_MS * 4 + 500);
    running = false;
    await Promise.all(senders);

    expect(results.kept.length).toBeGreaterThan(20);
    expect(results.kept.filter((s) => s !== 202)).toEqual([]);
    expect(new Set(results.doomed)).toEqual(new Set([202, 410]));
    // Once the ingest has answered a 410, no send that starts after it succeeds. (Answers
    // arrive out of order: a send sealed before the shred was seen may answer 202 after
    // another's 410; its message is never delivered, see vault-shred-live.int.test.ts.)
    const firstRefusal = Math.min(...doomedSends.filter((s) => s.status === 410).map((s) => s.answeredAt));
    const startedAfter = doomedSends.filter((s) => s.startedAt > firstRefusal);
    expect(startedAfter.length).toBeGreaterThan(0);
    expect(startedAfter.filter((s) => s.status !== 410)).toEqual([]);
    const stored = await db.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM messages WHERE id = ANY($1::uuid[]) AND tenant_id = $2',
      [results.keptIds, kept.tenantId],
    );
    expect(Number(stored.rows[0]!.n)).toBe(results.keptIds.length);

    // After the shred: sends, masking and reveal answer 410 tenant_keys_destroyed, not retryable.
    const afterShred = [
      await call(doomed.apiKey, '/v1/messages', { to: '+447911123456', from: 'Maskline', body: 'late' }),
      await call(doomed.apiKey, `/v1/masking/sessions/${session.body.id}/participants`, {
        participants: ['+447912300004'],
      }),
      await call(doomed.apiKey, `/v1/masking/sessions/${session.body.id}/messages`, {
        to: participantId,
        body: 'after the shred',
      }),
      await call(doomed.apiKey, '/v1/masking/sessions', {
        mode: 'verification',
        participants: ['+447912300003'],
      }),
      await call(doomed.apiKey, `/v1/messages/${earlier.body.id}/reveal`),
    ];
    for (const r of afterShred) {
      expect(r).toMatchObject({
        status: 410,
        retryAfter: null,
        body: { error: { code: 'tenant_keys_destroyed' } },
      });
    }
    // The other tenant is untouched.
    expect(
      (await call(kept.apiKey, '/v1/messages', { to: '+447911123456', from: 'X', body: 'ok' })).status,
    ).toBe(202);
    expect(ingest.process.lines.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });
});
