import { createHmac } from 'node:crypto';
import { TEST_IDEMPOTENCY_SECRET, TEST_PEPPER } from '@maskline/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const hmac = (key: string, fields: unknown[]) =>
  createHmac('sha256', key).update(JSON.stringify(fields)).digest();

/** Idempotency digests use their own secret; rows from before the split still replay. */
describe('idempotency digest secret (real Redis and PostgreSQL)', () => {
  let host: TestApp;
  let app: FastifyInstance;

  beforeAll(async () => {
    host = await startTestApp({ rateLimitPerMinute: 10_000 });
    ({ app } = host);
  });
  afterAll(async () => {
    await host.close();
  });

  const message = { to: '+447911123456', from: 'Maskline', body: 'digest me' };
  const fields = [message.to, message.from, message.body];
  const send = (key: string, payload: object = message) =>
    app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${host.apiKey}`, 'idempotency-key': key },
      payload,
    });
  const digestOf = async (id: string): Promise<Buffer> =>
    (await host.db.pool.query('SELECT request_digest FROM messages WHERE id = $1', [id])).rows[0]
      .request_digest;

  it('stores a digest keyed by IDEMPOTENCY_KEY_SECRET, not by the API-key pepper', async () => {
    const res = await send('secret-split-1');
    expect(res.statusCode).toBe(202);
    const stored = await digestOf(res.json().id);
    expect(stored.equals(hmac(TEST_IDEMPOTENCY_SECRET, fields))).toBe(true);
    expect(stored.equals(hmac(TEST_PEPPER, fields))).toBe(false);
  });

  it('replays a retry of a row written before the split (pepper-keyed digest); other content is a conflict', async () => {
    const res = await send('secret-split-legacy');
    const id = res.json().id as string;
    await host.db.pool.query('UPDATE messages SET request_digest = $2 WHERE id = $1', [
      id,
      hmac(TEST_PEPPER, fields),
    ]);
    const retry = await send('secret-split-legacy');
    expect([retry.statusCode, retry.json().id, retry.headers['idempotent-replayed']]).toEqual([
      200,
      id,
      'true',
    ]);
    const reuse = await send('secret-split-legacy', { ...message, body: 'something else' });
    expect([reuse.statusCode, reuse.json().error.code]).toEqual([409, 'idempotency_conflict']);
  });
});
