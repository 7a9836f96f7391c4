import type { DeliveryQueues } from '@maskline/queues';
import type { TestDatabase } from '@maskline/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * A client whose first attempt committed but saw an error (the connection broke as
 * PostgreSQL restarted) retries with its Idempotency-Key. The first attempt never added
 * the job; the retry must, or the message waits for the reconciler.
 */
describe('a retry with the same Idempotency-Key (real Redis and PostgreSQL)', () => {
  let host: TestApp;
  let db: TestDatabase;
  let app: FastifyInstance;
  let queues: DeliveryQueues;

  beforeAll(async () => {
    host = await startTestApp({ rateLimitPerMinute: 100 });
    ({ db, app, queues } = host);
  });
  afterAll(async () => {
    await host.close();
  });

  const send = (key = 'retry-after-a-broken-answer') =>
    app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${host.apiKey}`, 'idempotency-key': key },
      payload: { to: '+447911123456', from: 'Maskline', body: 'sent once' },
    });

  const batchJobOf = async (id: string): Promise<string> =>
    (await db.pool.query('SELECT delivery_job_id FROM messages WHERE id = $1', [id])).rows[0].delivery_job_id;

  it('adds no job while the batch job of its first attempt still covers it', async () => {
    const res = await send('retry-while-covered');
    expect(res.statusCode).toBe(202);
    const id = res.json().id as string;
    const again = await send('retry-while-covered');
    expect(again.statusCode).toBe(200);
    await host.flushJobs();
    expect(await queues.queueFor('sim').getJob(await batchJobOf(id))).toBeDefined();
    expect(await queues.queueFor('sim').getJob(id)).toBeUndefined();
    await queues.queueFor('sim').remove(await batchJobOf(id));
  });

  it('adds the job of a message still pending, once, as its own job', async () => {
    const first = await send();
    expect(first.statusCode).toBe(202);
    const id = first.json().id as string;
    await host.flushJobs();
    // As if the first attempt had committed and then lost its enqueue with its answer.
    await queues.queueFor('sim').remove(await batchJobOf(id));
    expect((await db.pool.query('SELECT status FROM messages WHERE id = $1', [id])).rows[0].status).toBe(
      'queued',
    );
    expect(await queues.queueFor('sim').getJob(id)).toBeUndefined();

    const retry = await send();
    expect(retry.statusCode).toBe(200);
    expect(retry.json().id).toBe(id);
    const again = await send();
    expect(again.statusCode).toBe(200);
    expect((await queues.queueFor('sim').getJob(id))?.data).toMatchObject({ messageId: id });
    expect(await queues.queueFor('sim').count()).toBe(1);
    await queues.queueFor('sim').remove(id);
  });

  it('gives every retried message of one lost batch a job when the retries overlap', async () => {
    // Two requests committed in one insert batch, both answers and the job lost
    // (PostgreSQL restarted): the rows name one batch job, which Redis does not hold.
    const firsts = await Promise.all([send('overlap-a'), send('overlap-b')]);
    const ids = firsts.map((r) => r.json().id as string);
    await host.flushJobs();
    const batchIds = await Promise.all(ids.map(batchJobOf));
    await db.pool.query('UPDATE messages SET delivery_job_id = $1 WHERE id = ANY($2)', [batchIds[0], ids]);
    for (const batchId of new Set(batchIds)) await queues.queueFor('sim').remove(batchId);

    const retries = await Promise.all([send('overlap-a'), send('overlap-b')]);
    expect(retries.map((r) => r.statusCode)).toEqual([200, 200]);
    for (const id of ids) {
      expect((await queues.queueFor('sim').getJob(id))?.data).toMatchObject({ messageId: id });
    }
  });
});
