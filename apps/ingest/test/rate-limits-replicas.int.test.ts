import { createTestDatabase, seedTenant, type TestDatabase } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type IngestProcess, startIngestProcess } from './support/ingest-process.js';

const NO_MESSAGE = '/v1/messages/00000000-0000-7000-8000-000000000000';

/**
 * Two ingest processes on one Redis and one database, as replicas behind a balancer: every
 * limit is held across them, and a throttled address is refused without a database query.
 */
describe('rate limits across two ingest replicas (real processes)', () => {
  let db: TestDatabase;
  let replicas: IngestProcess[];
  let apiKey: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ apiKey } = await seedTenant(db.pool));
    const env = {
      RATE_LIMIT_PER_MINUTE: '10',
      RATE_LIMIT_DESTINATION_PER_MINUTE: '3',
      AUTH_FAILURE_LIMIT_PER_MINUTE: '3',
      API_KEY_CACHE_TTL_MS: '0',
    };
    const first = await startIngestProcess(db, inject('redisUrl'), env);
    // The same queue prefix: the replicas share their Redis keys as one deployment does.
    const second = await startIngestProcess(db, inject('redisUrl'), {
      ...env,
      QUEUE_PREFIX: first.queuePrefix,
    });
    replicas = [first, second];
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await db?.drop();
  });

  const get = (replica: IngestProcess, key: string) =>
    fetch(`${replica.url}${NO_MESSAGE}`, { headers: { authorization: `Bearer ${key}` } });

  it('holds the per-key limit across replicas: 10 a minute in all, whichever replica answers', async () => {
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) => get(replicas[i % 2] as IngestProcess, apiKey)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 404)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    const refused = answers.find((a) => a.status === 429);
    expect(refused?.headers.get('ratelimit-policy')).toContain('"key";q=10;w=60');
    expect(await refused?.json()).toMatchObject({
      error: { code: 'rate_limited', details: { limit: 'key' } },
    });
  });

  it('holds the per-destination limit across replicas', async () => {
    const { apiKey: sender } = await seedTenant(db.pool, 'destination');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await (replicas[i % 2] as IngestProcess).send(sender, {
        to: '+447911123456',
        from: 'Maskline',
        body: 'replicas',
      });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
  });

  it('throttles a guessing address across replicas: the other replica refuses after its first failure there', async () => {
    const bad = `${apiKey.slice(0, -1)}${apiKey.at(-1) === 'a' ? 'b' : 'a'}`;
    const [a, b] = replicas as [IngestProcess, IngestProcess];
    expect([(await get(a, bad)).status, (await get(a, bad)).status, (await get(a, bad)).status]).toEqual([
      401, 401, 401,
    ]);
    expect((await get(a, bad)).status).toBe(429);
    // b has not seen this address fail: its first failure there is looked up, then b refuses too.
    expect((await get(b, bad)).status).toBe(401);
    const refused = await get(b, bad);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'auth_rate_limited' } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
