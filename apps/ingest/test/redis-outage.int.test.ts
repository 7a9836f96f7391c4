import { createRedisConnection, DeliveryQueues } from '@maskline/queues';
import { CuttableLink, createTestDatabase, seedTenant, type TestDatabase } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type IngestProcess, startIngestProcess } from './support/ingest-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Redis going away mid-traffic: sends still succeed (the row is the outbox), the failed
 * enqueues are not logged per request but as one outage (down, then up), and once Redis
 * is back the reconciler enqueues every message accepted meanwhile.
 */
describe('ingest during a Redis outage (real process, real Redis)', () => {
  let db: TestDatabase;
  let link: CuttableLink;
  let ingest: IngestProcess;
  let apiKey: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ apiKey } = await seedTenant(db.pool));
    const redis = new URL(inject('redisUrl'));
    link = await new CuttableLink(redis.hostname, Number(redis.port)).open();
    redis.port = String(link.port);
    ingest = await startIngestProcess(db, redis.toString(), {
      RECONCILE_AFTER_MS: '500',
      RECONCILE_INTERVAL_MS: '300',
    });
  });
  afterAll(async () => {
    await ingest?.stop();
    await link?.close();
    await db?.drop();
  });

  it('accepts every send, logs the outage once each way, and enqueues everything afterwards', async () => {
    const statuses: number[] = [];
    const ids: string[] = [];
    let running = true;
    const sender = async (worker: number) => {
      for (let i = 0; running; i += 1) {
        const r = await ingest.send(apiKey, {
          to: `+4479112${String(10000 + worker * 1000 + (i % 1000)).slice(-5)}`,
          from: 'Maskline',
          body: 'redis outage',
        });
        statuses.push(r.status);
        if (r.status === 202) ids.push(String(r.body.id));
      }
    };
    const senders = Array.from({ length: 4 }, (_, w) => sender(w));
    await sleep(500);
    await link.cut();
    await sleep(2_000);
    await link.restore();
    await sleep(1_000);
    running = false;
    await Promise.all(senders);

    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    // Every accepted message has its delivery job: enqueued at once or by the reconciler.
    const redis = createRedisConnection(inject('redisUrl'), 'producer');
    const queues = new DeliveryQueues({ connection: redis, prefix: ingest.queuePrefix });
    try {
      const deadline = Date.now() + 20_000;
      let missing = ids;
      while (missing.length > 0 && Date.now() < deadline) {
        // Its own job (added by the reconciler) or its insert batch's job, named on the row.
        const { rows } = await db.pool.query<{ id: string; job: string | null }>(
          'SELECT id, delivery_job_id AS job FROM messages WHERE id = ANY($1::uuid[])',
          [missing],
        );
        const jobs = await Promise.all(
          rows.map(async (r) => {
            const queue = queues.queueFor('sim');
            return (await queue.getJob(r.id)) ?? (r.job ? await queue.getJob(r.job) : undefined);
          }),
        );
        missing = rows.filter((_, i) => !jobs[i]).map((r) => r.id);
        if (missing.length > 0) await sleep(200);
      }
      expect(missing).toEqual([]);
    } finally {
      await queues.close();
      redis.disconnect();
    }

    const lines = ingest.process.lines;
    const down = lines.filter((l) => l.includes('redis unavailable'));
    const up = lines.filter((l) => l.includes('redis available again'));
    expect(down).toHaveLength(1);
    expect(up).toHaveLength(1);
    expect(lines.filter((l) => l.includes('enqueue failed'))).toEqual([]);
    expect(lines.filter((l) => /"stack"/.test(l))).toEqual([]);
  });
});
