import { uuidv7 } from '@maskline/core';
import { type SmscSimulator, startSmscSimulator } from '@maskline/smsc-sim';
import { type AppProcess, testMessage } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/test-host.js';
import { eventually, startWorkerProcess, waitForStatuses } from './support/worker-process.js';

/**
 * Two real delivery-worker processes on one carrier queue. One is killed (kill -9) while
 * its submits hang at a carrier that never answers; the other is submitting through a
 * carrier slower than the job lock. The dead worker's messages must be submitted by the
 * live one within 10 s, and no message the live worker held may be submitted twice.
 */
// BIND_LEASES 0: the two workers point the one carrier at two different simulators (to
// tell their submits apart), so each must bind its own; leased binds are scale-out.int.test.ts's.
const LOCK_ENV = { JOB_LOCK_MS: '2000', JOB_STALLED_CHECK_MS: '1000', BIND_LEASES: '0' };

describe('a delivery worker killed with jobs in flight', () => {
  let host: TestHost;
  let silentSmsc: SmscSimulator;
  let slowSmsc: SmscSimulator;
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    host = await startTestHost();
    // The first never answers in the test's time; the second answers after 3 s (> the 2 s lock).
    silentSmsc = await startSmscSimulator({ controlPort: null, submitRespDelayMs: 120_000 });
    slowSmsc = await startSmscSimulator({ controlPort: null, submitRespDelayMs: 3_000 });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop(true);
    await silentSmsc.close();
    await slowSmsc.close();
    await host.close();
  });

  async function send(bodies: string[]): Promise<string[]> {
    const ids = bodies.map(() => uuidv7());
    await host.messages.insertManyAccepted(
      ids.map((id, i) => testMessage(host.tenantId, { id, carrierId: 'sim', body: bodies[i]! })),
    );
    await host.queues.enqueue(
      ids.map((id) => ({ carrierId: 'sim', job: { messageId: id, tenantId: host.tenantId } })),
    );
    return ids;
  }

  it("resumes the dead worker's messages within 10 s without duplicating the live worker's", async () => {
    const doomedBodies = Array.from({ length: 5 }, (_, i) => `doomed ${i}`);
    const liveBodies = Array.from({ length: 5 }, (_, i) => `live ${i}`);
    // The doomed worker takes at most 5 jobs at once: exactly the first batch.
    const doomed = await startWorkerProcess(
      host,
      [{ id: 'sim', port: silentSmsc.smppPort, concurrency: 5, config: { requestTimeoutMs: 120_000 } }],
      LOCK_ENV,
    );
    workers.push(doomed);
    const doomedIds = await send(doomedBodies);
    expect(await eventually(() => silentSmsc.messages().length === 5, 15_000)).toBe(true);

    const live = await startWorkerProcess(host, [{ id: 'sim', port: slowSmsc.smppPort }], LOCK_ENV);
    workers.push(live);
    const liveIds = await send(liveBodies);
    expect(await eventually(() => slowSmsc.messages().length === 5, 15_000)).toBe(true);

    await doomed.stop(true);
    const killedAt = Date.now();
    const statuses = await waitForStatuses(host, [...doomedIds, ...liveIds], ['submitted'], 10_000);
    const elapsed = Date.now() - killedAt;
    expect([...statuses.values()].filter((s) => s === 'submitted')).toHaveLength(10);
    expect(elapsed).toBeLessThanOrEqual(10_000);

    // The live carrier saw each message exactly once: the live worker's own, held through
    // submits longer than the lock, and the dead worker's, taken over once.
    const seen = slowSmsc.messages().map((m) => m.text);
    for (const body of [...liveBodies, ...doomedBodies])
      expect(seen.filter((t) => t === body)).toHaveLength(1);
    expect(seen).toHaveLength(10);
  });
});
