import { type CarrierPluginDefinition, type SubmitRequest, uuidv7 } from '@maskline/core';
import { createPgPool, MessageRepository } from '@maskline/storage';
import { CuttableLink, testMessage } from '@maskline/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CarrierRuntime } from '../src/carriers/carrier-runtime.js';
import { testCarrierPlugin } from './support/scripted-plugin.js';
import { startTestHost, type TestHost } from './support/test-host.js';

/**
 * PostgreSQL goes away right after the carrier accepted a submit, for longer than the
 * worker used to retry the `submitted` write (~6 s). The worker must keep trying until the
 * database is back and never submit the message a second time.
 */
const OUTAGE_MS = 8_000;
const submits: string[] = [];
let proxy: CuttableLink;

const cuttingPlugin = testCarrierPlugin('cutting', async (request: SubmitRequest) => {
  submits.push(request.messageId);
  // The carrier has it; now the database disappears before `submitted` is written.
  void proxy.cut();
  setTimeout(() => void proxy.restore(), OUTAGE_MS);
  return { carrierMessageId: `c-${request.messageId.slice(-8)}`, partIds: [], segments: 1 };
});

describe('a PostgreSQL outage after the carrier accepted a submit', () => {
  let host: TestHost;
  let runtime: CarrierRuntime;
  let proxiedPool: pg.Pool;

  beforeAll(async () => {
    host = await startTestHost({ attempts: 3, backoffMs: 20 });
    const url = new URL(host.db.url);
    proxy = await new CuttableLink(url.hostname, Number(url.port)).open();
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    proxiedPool = createPgPool({ connectionString: url.toString(), max: 4 });
    runtime = CarrierRuntime.create(
      { id: 'cutting', plugin: 'cutting', tps: 0, concurrency: 4, regions: [], secrets: {}, config: {} },
      host.runtimeDeps(
        { cutting: cuttingPlugin as CarrierPluginDefinition<unknown> },
        { messages: new MessageRepository(proxiedPool, host.db.vault) },
      ),
    );
    await runtime.start();
  });
  afterAll(async () => {
    await runtime.stop();
    await proxiedPool.end();
    await proxy.close();
    await host.close();
  });

  it('records submitted once the database is back and submits exactly once', async () => {
    const id = uuidv7();
    await host.messages.insertAccepted(testMessage(host.tenantId, { id, carrierId: 'cutting', body: 'ok' }));
    await host.queues.enqueue([{ carrierId: 'cutting', job: { messageId: id, tenantId: host.tenantId } }]);
    const deadline = Date.now() + OUTAGE_MS + 15_000;
    let status = '';
    while (status !== 'submitted' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await host.messages.findForTenant(host.tenantId, id))?.status ?? '';
    }
    expect(status).toBe('submitted');
    expect(submits.filter((s) => s === id)).toHaveLength(1);
    // The job finished as a success: nothing is left to retry (and submit again) later.
    const job = await host.queues.queueFor('cutting').getJob(id);
    expect(await job?.getState()).toBe('completed');
  });
});
