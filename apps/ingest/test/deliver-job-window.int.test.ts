import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Deliver jobs per window (DELIVER_JOB_WINDOW_MS): a request answers once its row is
 * durable; the job that lists it is added when its window closes, shared with the other
 * requests of that window. A long window here makes the order visible.
 */
describe('deliver jobs coalesced over a window (real Redis and PostgreSQL)', () => {
  let host: TestApp;

  beforeAll(async () => {
    host = await startTestApp({ rateLimitPerMinute: 100, deliverJobWindowMs: 60_000 });
  });
  afterAll(async () => {
    await host.close();
  });

  const send = (to: string, idempotencyKey?: string) =>
    host.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: {
        authorization: `Bearer ${host.apiKey}`,
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
      payload: { to, from: 'Maskline', body: 'windowed' },
    });
  const jobIdOf = async (id: string): Promise<string> =>
    (await host.db.pool.query('SELECT delivery_job_id FROM messages WHERE id = $1', [id])).rows[0]
      .delivery_job_id;

  it('answers 202 with the row durable before its job exists; one job then lists the whole window', async () => {
    const first = await send('+447911123401');
    const second = await send('+447911123402');
    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    const ids = [first.json().id as string, second.json().id as string];
    const jobId = await jobIdOf(ids[0]!);
    // Two requests, one after the other, one window: the same job id on both rows.
    expect(await jobIdOf(ids[1]!)).toBe(jobId);
    const queue = host.queues.queueFor('sim');
    expect(await queue.getJob(jobId)).toBeUndefined();
    await host.flushJobs();
    expect((await queue.getJob(jobId))?.data).toEqual({ messageIds: ids });
    await queue.remove(jobId);
  });

  it('a retry while its window has not added the job yet adds no job of its own', async () => {
    const first = await send('+447911123403', 'window-retry');
    const again = await send('+447911123403', 'window-retry');
    expect([first.statusCode, again.statusCode]).toEqual([202, 200]);
    const id = first.json().id as string;
    const queue = host.queues.queueFor('sim');
    await host.flushJobs();
    expect(await queue.getJob(id)).toBeUndefined();
    expect((await queue.getJob(await jobIdOf(id)))?.data).toEqual({ messageIds: [id] });
    expect(await queue.count()).toBe(1);
  });
});
