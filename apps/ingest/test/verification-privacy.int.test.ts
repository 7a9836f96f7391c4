import { createRedisConnection } from '@maskline/queues';
import { MessageRepository } from '@maskline/storage';
import { createTestDatabase, seedTenant, type TestDatabase } from '@maskline/testing';
import { extractVerificationCode } from '@maskline/verification';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type IngestProcess, startIngestProcess } from './support/ingest-process.js';

/** Every value Redis holds under `prefix`, as text (BullMQ keeps job data in hashes). */
async function redisDump(redis: Redis, prefix: string): Promise<string> {
  const parts: string[] = [];
  for (const key of await redis.keys(`${prefix}*`)) {
    parts.push(key);
    const type = await redis.type(key);
    if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'string') parts.push((await redis.get(key)) ?? '');
    else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
    else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
    else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
    else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
  }
  return parts.join('\n');
}

/**
 * The real ingest process (its build, debug logging): a verification is sent, its code read
 * back from the sealed SMS body as the phone would, checked, and then neither the code nor
 * the number appears in the process's log lines or anywhere in Redis (jobs, limiter keys).
 */
describe('verification privacy (real ingest process, real PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let ingest: IngestProcess;
  let redis: Redis;
  let apiKey: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ apiKey } = await seedTenant(db.pool));
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    ingest = await startIngestProcess(db, inject('redisUrl'), { LOG_LEVEL: 'debug' });
  });
  afterAll(async () => {
    await ingest?.stop();
    redis?.disconnect();
    await db?.drop();
  });

  const call = async (path: string, body?: unknown) => {
    const response = await fetch(`${ingest.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };

  it('sends, checks, and leaves no code or number in logs, jobs or answers', async () => {
    const to = '+447911123789';
    const created = await call('/v1/verifications', { to, brand: 'Acme', codeLength: 7 });
    expect(created.status, created.text).toBe(201);
    const view = JSON.parse(created.text) as { id: string; messageId: string; to: string };
    const record = await new MessageRepository(db.pool, db.vault).loadForDelivery(view.messageId);
    const code = record?.content ? extractVerificationCode(record.content.body)?.code : undefined;
    expect(code).toMatch(/^[0-9]{7}$/);
    const wrong = await call(`/v1/verifications/${view.id}/check`, {
      code: String((Number(code) + 1) % 10_000_000).padStart(7, '0'),
    });
    expect(wrong.status).toBe(422);
    const approved = await call(`/v1/verifications/${view.id}/check`, { code });
    expect(approved.status, approved.text).toBe(200);
    expect(JSON.parse(approved.text)).toMatchObject({ status: 'approved' });
    const shown = await call(`/v1/verifications/${view.id}`);
    expect(JSON.parse(shown.text)).toMatchObject({ status: 'approved', messageId: view.messageId });

    const dump = await redisDump(redis, ingest.queuePrefix);
    expect(dump).toContain(view.messageId); // the ids-only job is there
    const limiter = await redisDump(redis, 'ml-verify-limit');
    expect(limiter).toContain('ml-verify-limit');
    const logs = ingest.process.lines.join('\n');
    expect(logs).toContain('/v1/verifications');
    for (const text of [dump, limiter, logs, created.text, wrong.text, approved.text, shown.text]) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(to.slice(1));
      expect(text).not.toContain(to.slice(-9));
    }
  });
});
