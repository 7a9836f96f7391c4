import { uuidv7 } from '@maskline/core';
import { type SmscSimulator, startSmscSimulator } from '@maskline/smsc-sim';
import { type AppProcess, freePort, testMessage } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/test-host.js';
import { startWorkerProcess, waitForStatuses } from './support/worker-process.js';

/**
 * A carrier that never started (nothing listens where it points) still has its queued
 * messages failed over: the real worker takes its jobs only to move them to the next
 * eligible carrier, each sent there once.
 */
describe('failover from a carrier that never started (real worker)', () => {
  let host: TestHost;
  let sim: SmscSimulator;
  let worker: AppProcess;

  beforeAll(async () => {
    host = await startTestHost();
    sim = await startSmscSimulator({ host: '127.0.0.1', smppPort: 0, controlPort: null });
    await host.db.pool.query(
      `INSERT INTO routes (id, prefix, carrier_id, priority) VALUES ($1, '44', 'dead', 1), ($2, '44', 'live', 2)`,
      [uuidv7(), uuidv7()],
    );
    worker = await startWorkerProcess(
      host,
      [
        { id: 'dead', port: await freePort(), config: { reconnectMinMs: 200, reconnectMaxMs: 500 } },
        { id: 'live', port: sim.smppPort },
      ],
      { ROUTES_REFRESH_MS: '500' },
    );
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await sim?.close();
    await host?.close();
  });

  it('moves what was queued for it to the next carrier, each message once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = uuidv7();
      ids.push(id);
      await host.messages.insertAccepted(
        testMessage(host.tenantId, { id, carrierId: 'dead', to: '+447911123456', body: `queued ${i}` }),
      );
    }
    await host.queues.enqueue(
      ids.map((id) => ({ carrierId: 'dead', job: { messageId: id, tenantId: host.tenantId } })),
    );
    const statuses = await waitForStatuses(host, ids, ['submitted', 'delivered'], 20_000);
    expect(ids.map((id) => statuses.get(id)).every((s) => s === 'submitted' || s === 'delivered')).toBe(true);
    expect(
      sim
        .messages()
        .map((m) => m.text)
        .sort(),
    ).toEqual(['queued 0', 'queued 1', 'queued 2', 'queued 3', 'queued 4']);
    const { rows } = await host.db.pool.query<{ carrier_id: string; tried: string[] }>(
      'SELECT carrier_id, carriers_tried AS tried FROM messages WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(rows.every((r) => r.carrier_id === 'live' && r.tried.join() === 'dead,live')).toBe(true);
  }, 40_000);
});
