import { uuidv7 } from '@maskline/core';
import { type SmscSimulator, startSmscSimulator } from '@maskline/smsc-sim';
import { type AppProcess, freePort, testMessage } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/test-host.js';
import { startWorkerProcess, waitForStatuses } from './support/worker-process.js';

/**
 * One real delivery-worker process with two carriers; the second carrier's SMSC is not
 * there when the worker boots. The first carrier delivers regardless, the second one's
 * jobs wait without using up their attempts, and flow once its SMSC appears.
 */
describe('a carrier whose SMSC is absent at boot', () => {
  let host: TestHost;
  let present: SmscSimulator;
  let late: SmscSimulator | null = null;
  let latePort: number;
  let worker: AppProcess;

  beforeAll(async () => {
    host = await startTestHost();
    present = await startSmscSimulator({ controlPort: null });
    latePort = await freePort();
  });
  afterAll(async () => {
    await worker?.stop();
    await present.close();
    await late?.close();
    await host.close();
  });

  async function send(carrierId: string, count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, () => uuidv7());
    await host.messages.insertManyAccepted(ids.map((id) => testMessage(host.tenantId, { id, carrierId })));
    await host.queues.enqueue(
      ids.map((id) => ({ carrierId, job: { messageId: id, tenantId: host.tenantId } })),
    );
    return ids;
  }

  it('keeps the other carrier working and starts sending once the SMSC appears', async () => {
    worker = await startWorkerProcess(
      host,
      [
        { id: 'present', port: present.smppPort },
        { id: 'late', port: latePort, config: { reconnectMinMs: 100, reconnectMaxMs: 500 } },
      ],
      { CARRIER_RETRY_MAX_MS: '1000', CARRIER_START_TIMEOUT_MS: '5000' },
    );
    const presentIds = await send('present', 3);
    const lateIds = await send('late', 3);
    const sent = await waitForStatuses(host, presentIds, ['submitted'], 15_000);
    expect([...sent.values()]).toEqual(['submitted', 'submitted', 'submitted']);

    // The absent carrier's jobs wait untouched: no attempt was spent on a link that is down.
    const waiting = await waitForStatuses(host, lateIds, ['queued'], 5_000);
    expect([...waiting.values()]).toEqual(['queued', 'queued', 'queued']);
    for (const id of lateIds) {
      const job = await host.queues.queueFor('late').getJob(id);
      expect(job?.attemptsMade).toBe(0);
    }
    expect(worker.lines.some((l) => l.includes('"carrier":"late"') && l.includes('carrier down'))).toBe(true);

    late = await startSmscSimulator({ controlPort: null, smppPort: latePort });
    const flowed = await waitForStatuses(host, lateIds, ['submitted'], 15_000);
    expect([...flowed.values()]).toEqual(['submitted', 'submitted', 'submitted']);
    expect(late.messages()).toHaveLength(3);
    expect(worker.lines.some((l) => l.includes('"carrier":"late"') && l.includes('carrier up'))).toBe(true);
  });

  it("stops taking a carrier's jobs while its link is down, and resumes when it is back", async () => {
    const before = worker.lines.length;
    await late?.close();
    const downLogged = () =>
      worker.lines.slice(before).some((l) => l.includes('"carrier":"late"') && l.includes('carrier down'));
    const deadline = Date.now() + 10_000;
    while (!downLogged() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(downLogged()).toBe(true);

    const lateIds = await send('late', 2);
    await new Promise((r) => setTimeout(r, 1_500));
    for (const id of lateIds) {
      // Waiting, or put back for later by a fetch that was already under way: never attempted.
      const job = await host.queues.queueFor('late').getJob(id);
      expect(['waiting', 'delayed']).toContain(await job?.getState());
      expect(job?.attemptsMade).toBe(0);
    }
    const untouched = await waitForStatuses(host, lateIds, ['queued'], 1_000);
    expect([...untouched.values()]).toEqual(['queued', 'queued']);
    late = await startSmscSimulator({ controlPort: null, smppPort: latePort });
    const flowed = await waitForStatuses(host, lateIds, ['submitted'], 15_000);
    expect([...flowed.values()]).toEqual(['submitted', 'submitted']);
  });
});
