import { type SmscSimulator, startSmscSimulator } from '@maskline/smsc-sim';
import { AppProcess, freePort } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestHost, type TestHost } from './support/test-host.js';
import { eventually, startWorkerProcess } from './support/worker-process.js';

/**
 * The probes of the apps without an API, on the real processes: /live and /ready on
 * HEALTH_PORT reflect PostgreSQL, Redis and (delivery worker) whether any carrier is up;
 * SIGTERM drains and exits 0.
 */
describe('health endpoints and graceful stop of the workers (real processes)', () => {
  let host: TestHost;
  let sim: SmscSimulator;

  beforeAll(async () => {
    host = await startTestHost();
    sim = await startSmscSimulator({ host: '127.0.0.1', smppPort: 0, controlPort: null });
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
    await host?.close();
  });

  const get = async (url: string) => {
    const response = await fetch(url);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('delivery worker: ready with its carrier up, not ready once no carrier is; exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const worker = await startWorkerProcess(
      host,
      [{ id: 'sim', port: sim.smppPort, config: { reconnectMinMs: 200, reconnectMaxMs: 500 } }],
      { HEALTH_PORT: String(port), SHUTDOWN_TIMEOUT_MS: '10000' },
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      expect(await get(`${base}/live`)).toEqual({ status: 200, body: { status: 'ok' } });
      expect(await get(`${base}/ready`)).toEqual({
        status: 200,
        body: { status: 'ready', checks: { postgres: 'ok', redis: 'ok', carriers: 'ok' } },
      });
      await sim.close();
      const notReady = await eventually(async () => (await get(`${base}/ready`)).status === 503, 10_000);
      expect(notReady).toBe(true);
      expect((await get(`${base}/ready`)).body).toMatchObject({ checks: { carriers: 'unavailable' } });
      expect((await get(`${base}/live`)).status).toBe(200);
    } finally {
      await worker.stop();
      sim = await startSmscSimulator({ host: '127.0.0.1', smppPort: 0, controlPort: null });
    }
    expect(worker.exitCode).toBe(0);
    expect(worker.lines.some((l) => l.includes('delivery worker stopping'))).toBe(true);
  }, 60_000);

  it('receipt processor: ready with PostgreSQL and Redis; exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const receipts = new AppProcess('receipt-processor', {
      DATABASE_URL: host.db.appUrl,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: host.prefix,
      LOG_LEVEL: 'info',
      ...host.db.vaultEnv,
      HEALTH_PORT: String(port),
    });
    await receipts.start(/receipt processor running/);
    try {
      expect(await get(`http://127.0.0.1:${port}/ready`)).toEqual({
        status: 200,
        body: { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } },
      });
    } finally {
      await receipts.stop();
    }
    expect(receipts.exitCode).toBe(0);
  }, 60_000);
});
