import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRedisServer, type RunningRedisCluster, startRedisCluster } from '@maskline/local-infra';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { inParallel, StackFixture } from '../src/stack-fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const MESSAGES = 300;
const RATE_PER_S = 30;
const KILL_AFTER_MS = 4_000;

/**
 * The send path on a Redis Cluster (docs/scaling.md#redis-cluster): 3 masters and 3
 * replicas from Debian's redis-server on loopback ports, the three apps configured with
 * REDIS_CLUSTER_NODES and a hash-tagged QUEUE_PREFIX. Mid-run the master serving the
 * queues' slot is SIGKILLed; the cluster is down until its replica is promoted. Every
 * accepted message must still be delivered, reaching the SMSC exactly once, with every
 * app still running and taking new work.
 */
describe('the send path on a 3-master Redis Cluster, through a master failover', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  let cluster: RunningRedisCluster;
  let stack: StackFixture;
  const prefix = `{t${randomBytes(4).toString('hex')}}`;

  beforeAll(async () => {
    const redisServer = findRedisServer();
    if (!redisServer) throw new Error('redis-server not found (the integration setup installs it)');
    cluster = await startRedisCluster({ redisServer, dataDir: dir, nodeTimeoutMs: 1_000 });
    const seed = cluster.nodesSetting.split(',')[0]!;
    stack = new StackFixture({
      redisUrl: `redis://${seed}`,
      postgresUrl: inject('postgresUrl'),
      logLevel: 'info',
      tracing: false,
      appEnv: { REDIS_CLUSTER_NODES: cluster.nodesSetting, QUEUE_PREFIX: prefix },
      workerEnv: { JOB_LOCK_MS: '3000', JOB_STALLED_CHECK_MS: '1000' },
      // Replication is asynchronous: a job the dead master acknowledged may be missing on
      // its replica. The reconciler and the receipt sweep re-add those (sooner than their
      // production defaults here, to keep the test short).
      ingestEnv: { RECONCILE_AFTER_MS: '5000', RECONCILE_INTERVAL_MS: '1000' },
      receiptEnv: { SWEEP_AFTER_MS: '5000', SWEEP_INTERVAL_MS: '1000' },
    });
    await stack.start();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every accepted message exactly once while a master fails over', async () => {
    // Every key of the queues hashes to the prefix's tag: one master serves them all.
    const queueMaster = await cluster.masterOf(`${prefix}:deliver-sim:wait`);
    expect(await cluster.masterOf(`${prefix}:carrier-events:wait`)).toBe(queueMaster);

    const bodyOf = (i: number) => `cluster ${i} of ${MESSAGES}`;
    const startedAt = Date.now();
    let killedAt = 0;
    let promotedPort = 0;
    let promotedAfterMs = 0;
    const killer = (async () => {
      await sleep(KILL_AFTER_MS);
      killedAt = Date.now();
      ({ promotedPort } = await cluster.killMaster(queueMaster));
      promotedAfterMs = Date.now() - killedAt;
    })();
    const responses = await inParallel(
      Array.from({ length: MESSAGES }, (_, i) => i),
      20,
      async (i) => {
        await sleep(startedAt + (i * 1_000) / RATE_PER_S - Date.now());
        return {
          i,
          ...(await stack.send({
            to: `+4479222${String(100000 + i).slice(1)}`,
            from: 'Maskline',
            body: bodyOf(i),
          })),
        };
      },
    );
    await killer;
    expect(promotedPort).not.toBe(queueMaster);
    expect(await cluster.masterOf(`${prefix}:deliver-sim:wait`)).toBe(promotedPort);

    // A request may be refused while the slot has no master (503, retryable), never lost
    // once accepted; most are accepted, before and after the failover.
    const accepted = responses.filter((r) => r.status === 202);
    const refused = responses.filter((r) => r.status !== 202);
    for (const r of refused) expect(r.status).toBe(503);
    expect(accepted.length).toBeGreaterThanOrEqual(MESSAGES * 0.9);
    expect(accepted.some((r) => r.i * (1_000 / RATE_PER_S) > KILL_AFTER_MS + 3_000)).toBe(true);
    const ids = accepted.map((r) => String(r.body.id));

    const statuses = await stack.waitForStatus(ids, ['delivered'], 40_000);
    const notDelivered = ids.filter((id) => statuses.get(id) !== 'delivered');
    expect(notDelivered.map((id) => statuses.get(id))).toEqual([]);

    // Each accepted message reached the SMSC exactly once; refused ones never did.
    const submits = new Map<string, number>();
    for (const m of stack.sim.messages()) submits.set(m.text, (submits.get(m.text) ?? 0) + 1);
    expect([...submits.values()].filter((n) => n > 1)).toEqual([]);
    for (const r of accepted) expect(submits.get(bodyOf(r.i))).toBe(1);
    for (const r of refused) expect(submits.has(bodyOf(r.i))).toBe(false);

    // The stack carries on after the promotion: every app still runs and a new message goes through.
    for (const app of ['ingest', 'delivery-worker', 'receipt-processor'] as const)
      expect(stack.apps.get(app)?.pid, app).toBeDefined();
    const after = await stack.send({ to: '+447922299999', from: 'Maskline', body: 'after the failover' });
    expect(after.status).toBe(202);
    const last = await stack.waitForStatus([String(after.body.id)], ['delivered'], 15_000);
    expect(last.get(String(after.body.id))).toBe('delivered');
    console.info(
      JSON.stringify({
        redisCluster: {
          messages: MESSAGES,
          accepted: accepted.length,
          refused: refused.length,
          promotedAfterMs,
          submitsAtSmsc: stack.sim.messages().length,
          runMs: Date.now() - startedAt,
        },
      }),
    );
  }, 90_000);
});
