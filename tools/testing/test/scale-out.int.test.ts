import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { inParallel, StackFixture } from '../src/stack-fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const MESSAGES = 600;
const RATE_PER_S = 50;
const KILL_AFTER_MS = 5_000;
const LEASE_TTL_MS = 3_000;

/**
 * Scale-out (docs/scaling.md): three delivery-worker processes and two receipt processors
 * share one carrier whose SMSC lets its system_id hold 2 binds (more are refused). The
 * carrier is configured with binds: 2, so the workers lease the two bind slots between
 * them: two bind, one waits on standby. Mid-run the worker holding a bind is killed
 * (SIGKILL): its slot must be taken over within seconds, the SMSC must never see a third
 * bind, and every message must be delivered, reaching the SMSC more than once only if its
 * submit was in flight at the kill.
 */
describe('scale-out: three workers sharing a carrier of two binds', () => {
  const stack = new StackFixture({
    redisUrl: inject('redisUrl'),
    postgresUrl: inject('postgresUrl'),
    logLevel: 'info',
    tracing: false,
    simOptions: { maxBinds: 2 },
    carrierConfig: { binds: 2, windowSize: 10 },
    workers: 3,
    receiptProcessors: 2,
    workerEnv: {
      BIND_LEASE_TTL_MS: String(LEASE_TTL_MS),
      JOB_LOCK_MS: '2000',
      JOB_STALLED_CHECK_MS: '1000',
    },
  });
  let redis: Redis;

  beforeAll(async () => {
    await stack.start();
    redis = new Redis(inject('redisUrl'));
  }, 120_000);
  afterAll(async () => {
    redis?.disconnect();
    await stack.stop();
  });

  const transceivers = () => stack.sim.stats().binds.transceiver;
  /** The pid in each slot's lease owner token (host:pid-namespace:pid:random), null when free. */
  async function slotPids(): Promise<(number | null)[]> {
    // The workers' slot lease keys (slotLeaseKey in @maskline/queues: …:slot-lease:{deliver-sim}:N).
    const keys = [0, 1].map((slot) => `${stack.queuePrefix}:slot-lease:{deliver-sim}:${slot}`);
    const owners = await redis.mget(keys);
    return owners.map((owner) => (owner === null ? null : Number(owner.split(':')[2])));
  }

  it('holds the bind limit, takes a killed worker’s bind over within seconds and loses nothing', async () => {
    const workers = stack.processesOf('delivery-worker');
    expect(workers).toHaveLength(3);
    expect(stack.processesOf('receipt-processor')).toHaveLength(2);
    const deadline = Date.now() + 15_000;
    while (transceivers() < 2 && Date.now() < deadline) await sleep(50);
    expect(transceivers()).toBe(2);
    const holders = await slotPids();
    // Two different workers hold one slot each (fair share); the third is on standby.
    expect(new Set(holders).size).toBe(2);
    const victim = workers.find((w) => w.pid === holders[0])!;
    const standby = workers.find((w) => w.pid !== undefined && !holders.includes(w.pid))!;
    expect(victim).toBeDefined();
    expect(standby).toBeDefined();

    // The bind count, sampled through the run.
    let minAfterKill = 2;
    let backAt = 0;
    let killedAt = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const binds = transceivers();
        if (killedAt > 0) {
          minAfterKill = Math.min(minAfterKill, binds);
          if (binds === 2 && minAfterKill < 2 && backAt === 0) backAt = Date.now();
        }
        await sleep(20);
      }
    })();

    const bodyOf = (i: number) => `scale-out ${i} of ${MESSAGES}`;
    const startedAt = Date.now();
    const killer = (async () => {
      await sleep(KILL_AFTER_MS);
      killedAt = Date.now();
      await victim.stop(true);
    })();
    const responses = await inParallel(
      Array.from({ length: MESSAGES }, (_, i) => i),
      20,
      async (i) => {
        await sleep(startedAt + (i * 1_000) / RATE_PER_S - Date.now());
        return stack.send({
          to: `+4479111${String(100000 + i).slice(1)}`,
          from: 'Maskline',
          body: bodyOf(i),
        });
      },
    );
    await killer;
    expect(responses.filter((r) => r.status !== 202).slice(0, 3)).toEqual([]);
    const ids = responses.map((r) => String(r.body.id));

    // Nothing lost: every message delivered (receipts over whichever bind the SMSC chose,
    // through either receipt processor).
    const statuses = await stack.waitForStatus(ids, ['delivered'], 40_000);
    expect([...statuses.values()].filter((s) => s === 'delivered')).toHaveLength(MESSAGES);
    sampling = false;
    await sampler;

    // The limit held: never more than 2 binds at the SMSC, and none refused.
    const stats = stack.sim.stats();
    expect(stats.peakBinds).toBe(2);
    expect(stats.bindsOverLimit).toBe(0);
    expect(stats.bindsRefused).toBe(0);

    // The killed worker's bind went at once (the kernel closed its socket) and was taken
    // over, by the standby worker, within the lease TTL plus a renewal or two.
    expect(minAfterKill).toBe(1);
    const takeoverMs = backAt - killedAt;
    expect(backAt).toBeGreaterThan(0);
    expect(takeoverMs).toBeLessThanOrEqual(LEASE_TTL_MS + 3_000);
    expect((await slotPids()).sort()).toEqual([holders[1], standby.pid].sort());

    // Each message reached the SMSC; twice only if its submit was on the wire at the kill.
    const seen = new Map<string, string[]>();
    for (const m of stack.sim.messages()) seen.set(m.text, [...(seen.get(m.text) ?? []), m.receivedAt]);
    const duplicates = [...seen.entries()].filter(([, at]) => at.length > 1);
    for (let i = 0; i < MESSAGES; i++) expect(seen.has(bodyOf(i))).toBe(true);
    for (const [, at] of duplicates) expect(Date.parse(at[0]!)).toBeLessThanOrEqual(killedAt);
    expect(duplicates.length).toBeLessThanOrEqual(20); // at most the victim's window and batch
    console.info(
      JSON.stringify({
        scaleOut: {
          messages: MESSAGES,
          takeoverMs,
          peakBinds: stats.peakBinds,
          bindsRefused: stats.bindsRefused,
          submitsAtSmsc: stack.sim.messages().length,
          duplicates: duplicates.length,
          runMs: Date.now() - startedAt,
        },
      }),
    );
  }, 90_000);
});
