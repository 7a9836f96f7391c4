import { spawn } from 'node:child_process';
import type { SlotHold, SlotListener } from '@maskline/core';
import {
  createRedisConnection,
  deadHolder,
  RedisSlotLeases,
  SlotLeaseStore,
  slotLeaseKey,
  slotMembersKey,
  slotOwnerToken,
} from '@maskline/queues';
import { uniqueQueuePrefix } from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/** Who uses each slot now, across every keeper of the test: never two at once. */
class SlotUsers {
  readonly users = new Map<number, Set<string>>();
  maxAtOnce = 0;
  events: { who: string; kind: 'acquired' | 'lost'; slot: number; at: number }[] = [];

  listener(who: string): SlotListener & { held: Set<number> } {
    const held = new Set<number>();
    return {
      held,
      acquired: (slot) => {
        held.add(slot);
        const users = this.users.get(slot) ?? new Set();
        users.add(who);
        this.users.set(slot, users);
        this.maxAtOnce = Math.max(this.maxAtOnce, users.size);
        this.events.push({ who, kind: 'acquired', slot, at: Date.now() });
      },
      lost: (slot) => {
        held.delete(slot);
        this.users.get(slot)?.delete(who);
        this.events.push({ who, kind: 'lost', slot, at: Date.now() });
      },
    };
  }
}

describe('slot leases on real Redis', () => {
  let redis: Redis;
  const extra: Redis[] = [];
  const holds: SlotHold[] = [];
  beforeAll(() => {
    redis = createRedisConnection(inject('redisUrl'), 'producer');
  });
  afterEach(async () => {
    for (const hold of holds.splice(0)) await hold.release().catch(() => {});
    for (const connection of extra.splice(0)) connection.disconnect();
  });
  afterAll(() => redis.disconnect());

  function connection(): Redis {
    const c = createRedisConnection(inject('redisUrl'), 'producer');
    extra.push(c);
    return c;
  }

  it('acquires with NX, renews and deletes only as the owner, and expires', async () => {
    const prefix = uniqueQueuePrefix();
    const store = new SlotLeaseStore(redis, prefix, 'sim');
    expect(store.key(0)).toBe(slotLeaseKey(prefix, 'sim', 0));
    expect(store.key(0)).toContain('{deliver-sim}');
    expect(await store.acquire(0, 'a', 5_000)).toBe(true);
    expect(await store.acquire(0, 'b', 5_000)).toBe(false);
    expect(await store.holders(2)).toEqual(['a', null]);

    expect(await store.renew(0, 'b', 60_000)).toBe(false);
    expect(await redis.pttl(store.key(0))).toBeLessThanOrEqual(5_000);
    expect(await store.renew(0, 'a', 60_000)).toBe(true);
    expect(await redis.pttl(store.key(0))).toBeGreaterThan(5_000);

    expect(await store.release(0, 'b')).toBe(false);
    expect(await store.holders(1)).toEqual(['a']);
    expect(await store.release(0, 'a')).toBe(true);
    expect(await store.holders(1)).toEqual([null]);

    expect(await store.acquire(1, 'a', 150)).toBe(true);
    await sleep(250);
    expect(await store.renew(1, 'a', 5_000)).toBe(false); // expired: a renewal does not revive it
    expect(await store.acquire(1, 'b', 5_000)).toBe(true);
  });

  it('a lone process holds every slot after its first round and gives them back on release', async () => {
    const prefix = uniqueQueuePrefix();
    const users = new SlotUsers();
    const listener = users.listener('a');
    const hold = await new RedisSlotLeases({ redis, prefix, carrierId: 'sim', ttlMs: 1_000 }).hold(
      2,
      listener,
    );
    expect([...listener.held].sort()).toEqual([0, 1]);
    expect([...hold.held].sort()).toEqual([0, 1]);
    expect(hold.letGoWithinMs).toBe(400);
    await sleep(1_500); // past the TTL: renewed all along
    expect(listener.held.size).toBe(2);
    await hold.release();
    const store = new SlotLeaseStore(redis, prefix, 'sim');
    expect(await store.holders(2)).toEqual([null, null]);
    expect(await redis.zcard(slotMembersKey(prefix, 'sim'))).toBe(0);
  });

  it('takes a slot at once from a holder that died on this machine, never from a live one or another host', async () => {
    // A real process that held a lease and is gone (its pid is free now), and one still running.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)']);
    try {
      const ours = slotOwnerToken().split(':');
      const tokenOf = (pid: number) => `${ours[0]}:${ours[1]}:${pid}:0123456789ab`;
      const deadToken = tokenOf(gone.pid!);
      const liveToken = tokenOf(alive.pid!);
      const elsewhere = `another-host:${ours[1]}:${gone.pid}:0123456789ab`;
      expect([deadHolder(deadToken), deadHolder(liveToken), deadHolder(elsewhere)]).toEqual([
        true,
        false,
        false,
      ]);
      expect(deadHolder('intruder')).toBe(false);

      const prefix = uniqueQueuePrefix();
      await redis.set(slotLeaseKey(prefix, 'sim', 0), deadToken, 'PX', 60_000);
      await redis.set(slotLeaseKey(prefix, 'sim', 1), liveToken, 'PX', 60_000);
      await redis.set(slotLeaseKey(prefix, 'sim', 2), elsewhere, 'PX', 60_000);
      const listener = new SlotUsers().listener('successor');
      const started = Date.now();
      const hold = await new RedisSlotLeases({ redis, prefix, carrierId: 'sim', ttlMs: 60_000 }).hold(
        3,
        listener,
      );
      holds.push(hold);
      // The first round took the dead holder's slot, well before its 60 s lease ran out.
      expect([...listener.held]).toEqual([0]);
      expect(Date.now() - started).toBeLessThan(5_000);
      const store = new SlotLeaseStore(redis, prefix, 'sim');
      const [slot0, slot1, slot2] = await store.holders(3);
      expect(slot0).not.toBe(deadToken);
      expect([slot1, slot2]).toEqual([liveToken, elsewhere]);
    } finally {
      alive.kill('SIGKILL');
    }
  });

  it('lets a slot go at once when its lease was taken from it', async () => {
    const prefix = uniqueQueuePrefix();
    const users = new SlotUsers();
    const listener = users.listener('a');
    const hold = await new RedisSlotLeases({ redis, prefix, carrierId: 'sim', ttlMs: 1_000 }).hold(
      1,
      listener,
    );
    holds.push(hold);
    expect(listener.held.has(0)).toBe(true);
    await redis.set(slotLeaseKey(prefix, 'sim', 0), 'intruder', 'PX', 10_000);
    // The next renewal (every 200 ms) finds another owner.
    expect(await until(() => !listener.held.has(0), 500)).toBe(true);
    expect(await redis.get(slotLeaseKey(prefix, 'sim', 0))).toBe('intruder');
  });

  it('lets a slot go before its lease expires when renewals stop getting through', async () => {
    const prefix = uniqueQueuePrefix();
    const own = connection();
    const users = new SlotUsers();
    const listener = users.listener('a');
    const ttlMs = 1_000;
    await new RedisSlotLeases({ redis: own, prefix, carrierId: 'sim', ttlMs }).hold(1, listener);
    expect(listener.held.has(0)).toBe(true);
    const cutAt = Date.now();
    own.disconnect(); // renewals now fail; the lease still runs on Redis
    expect(await until(() => !listener.held.has(0), ttlMs)).toBe(true);
    const lostAfter = Date.now() - cutAt;
    // Let go while the lease still had time left: no one else could have taken it yet.
    const left = await redis.pttl(slotLeaseKey(prefix, 'sim', 0));
    expect(left).toBeGreaterThan(0);
    expect(lostAfter).toBeLessThanOrEqual(0.6 * ttlMs);
  });

  it('never lets two processes use one slot, shares fairly and takes a dead holder over', async () => {
    const prefix = uniqueQueuePrefix();
    const ttlMs = 1_000;
    const users = new SlotUsers();
    const members = ['a', 'b', 'c', 'd'].map((who) => {
      const c = connection();
      return { who, c, listener: users.listener(who) };
    });
    const started = await Promise.all(
      members.map(async (m) => ({
        ...m,
        hold: await new RedisSlotLeases({ redis: m.c, prefix, carrierId: 'sim', ttlMs }).hold(2, m.listener),
      })),
    );
    holds.push(...started.map((m) => m.hold));
    // Within a few rounds: both slots held, by two different processes (fair share 1).
    const fair = () =>
      started.filter((m) => m.listener.held.size === 1).length === 2 &&
      started.every((m) => m.listener.held.size <= 1);
    expect(await until(fair, 5 * ttlMs)).toBe(true);

    // A holder dies (its connection gone, its lease left to expire).
    const victim = started.find((m) => m.listener.held.size === 1)!;
    const [slot] = [...victim.listener.held] as [number];
    const diedAt = Date.now();
    victim.c.disconnect();
    const taken = () => started.some((m) => m !== victim && m.listener.held.has(slot));
    expect(await until(taken, 3 * ttlMs)).toBe(true);
    const takeoverMs = Date.now() - diedAt;
    expect(takeoverMs).toBeLessThanOrEqual(ttlMs + 2 * (ttlMs / 5) + 200);
    await sleep(500);
    expect(users.maxAtOnce).toBe(1);
    // The victim let go before the new holder took the slot.
    const victimLost = users.events.find((e) => e.who === victim.who && e.kind === 'lost' && e.slot === slot);
    const newAcquired = users.events.find(
      (e) => e.who !== victim.who && e.kind === 'acquired' && e.slot === slot && e.at >= diedAt,
    );
    expect(victimLost!.at).toBeLessThanOrEqual(newAcquired!.at);
  });
});
