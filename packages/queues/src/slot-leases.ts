import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { SlotHold, SlotLeases, SlotListener } from '@maskline/core';
import { LuaScript } from './lua-script.js';
import { deliverQueueName } from './queue-names.js';
import type { RedisClient } from './redis-connection.js';

/** Renews the lease only while this owner still holds it (compare-and-renew). */
const RENEW_SCRIPT = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`);

/** Takes the lease from a holder known to be dead (compare-and-set, a fresh TTL). */
const TAKEOVER_SCRIPT = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`);

/** Deletes the lease only while this owner still holds it (compare-and-delete). */
const RELEASE_SCRIPT = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`);

/**
 * Marks the caller present (score = Redis time), drops members not seen for a TTL, and
 * returns how many are present: the processes sharing the carrier's slots.
 */
const PRESENCE_SCRIPT = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return redis.call('ZCARD', KEYS[1])
`);

/**
 * The keys of one carrier's slot leases. Every key carries the carrier in one hash tag, so
 * on Redis Cluster they share a hash slot (unless the queue prefix has its own tag, which
 * then wins and still keeps them together).
 */
export function slotLeaseKey(prefix: string, carrierId: string, slot: number): string {
  return `${prefix}:slot-lease:{${deliverQueueName(carrierId)}}:${slot}`;
}

export function slotMembersKey(prefix: string, carrierId: string): string {
  return `${prefix}:slot-lease:{${deliverQueueName(carrierId)}}:members`;
}

/** The inode of this process's pid namespace ('' where /proc does not tell). */
function pidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '';
  } catch {
    return '';
  }
}

/**
 * A process's owner token: host, pid namespace, pid and randomness (never reused by a
 * restart). Host and namespace let a successor on the same machine tell that a holder is
 * dead (deadHolder).
 */
export function slotOwnerToken(): string {
  return `${hostname()}:${pidNamespace()}:${process.pid}:${randomBytes(6).toString('hex')}`;
}

/**
 * True when `token`'s process is provably gone: it ran on this host, in this pid namespace
 * (so its pid means the same process here), and no process has that pid now. Its binds died
 * with it (the kernel closed its sockets), so its slots can be taken at once instead of
 * after the TTL: a worker restarted after a crash binds again in a moment. Any doubt (another
 * host or namespace, an older token, a live or reused pid) answers false.
 */
export function deadHolder(token: string): boolean {
  const parts = token.split(':');
  if (parts.length !== 4) return false;
  const [host, namespace, pidText] = parts as [string, string, string, string];
  const pid = Number(pidText);
  if (host !== hostname() || namespace === '' || namespace !== pidNamespace()) return false;
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The Redis primitives of one slot lease; each is one atomic command or script. */
export class SlotLeaseStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly carrierId: string,
  ) {}

  key(slot: number): string {
    return slotLeaseKey(this.prefix, this.carrierId, slot);
  }

  /** SET NX PX: true when `owner` took the free slot. */
  async acquire(slot: number, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.key(slot), owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** Takes the lease from `from` (a dead holder) if it still holds it. */
  async takeOver(slot: number, from: string, owner: string, ttlMs: number): Promise<boolean> {
    return Number(await TAKEOVER_SCRIPT.run(this.redis, [this.key(slot)], [from, owner, ttlMs])) === 1;
  }

  /** Extends the lease by `ttlMs` from now if `owner` still holds it. */
  async renew(slot: number, owner: string, ttlMs: number): Promise<boolean> {
    return Number(await RENEW_SCRIPT.run(this.redis, [this.key(slot)], [owner, ttlMs])) === 1;
  }

  /** Deletes the lease if `owner` still holds it. */
  async release(slot: number, owner: string): Promise<boolean> {
    return Number(await RELEASE_SCRIPT.run(this.redis, [this.key(slot)], [owner])) === 1;
  }

  /** The owner of each slot (null: free). */
  async holders(count: number): Promise<(string | null)[]> {
    if (count === 0) return [];
    return this.redis.mget(Array.from({ length: count }, (_, slot) => this.key(slot)));
  }

  /** Marks `owner` present for `ttlMs`; returns how many owners are present. */
  async present(owner: string, ttlMs: number): Promise<number> {
    const key = slotMembersKey(this.prefix, this.carrierId);
    return Number(await PRESENCE_SCRIPT.run(this.redis, [key], [owner, ttlMs]));
  }

  async leave(owner: string): Promise<void> {
    await this.redis.zrem(slotMembersKey(this.prefix, this.carrierId), owner);
  }
}

export interface RedisSlotLeasesOptions {
  redis: RedisClient;
  prefix: string;
  carrierId: string;
  /** Lease lifetime; renewed every ttlMs / 5. */
  ttlMs: number;
  /** Default: a fresh slotOwnerToken(). */
  owner?: string;
  /** Told about lost leases and Redis failures (no content, ids only). */
  onEvent?: (event: SlotLeaseEvent) => void;
}

export type SlotLeaseEvent =
  | { kind: 'acquired' | 'lost' | 'overdue' | 'handed-back'; slot: number }
  | { kind: 'redis-error'; error: unknown };

/** Renewals per TTL: the lease outlives 2 missed renewals plus the time to let go. */
export const RENEWALS_PER_TTL = 5;

/**
 * SlotLeases on Redis: one key per (carrier, slot) holding its owner's token.
 *
 * Timing (R = ttl / 5): every R the holder renews each held slot (compare-and-renew), and a
 * local watchdog (every R / 2, no Redis involved) gives up any slot whose last successful
 * renewal was sent more than 2R ago. The lease lasts until at least that send + ttl = 5R on
 * Redis, so a slot is let go by 2.5R and its connection closed by 2.5R + letGoWithinMs
 * (2R) = 4.5R, before any other process can take it. Only a process frozen past the TTL
 * (not even its timers run) breaks this; the carrier then refuses the extra bind itself.
 *
 * Fair share: the processes present (one heartbeat each) split the slots; one holding
 * more than ceil(slots / present) hands one back per round (closing it gracefully, then
 * deleting the lease), so a joining process gets a slot within a few rounds.
 */
export class RedisSlotLeases implements SlotLeases {
  private readonly store: SlotLeaseStore;
  readonly owner: string;
  readonly intervalMs: number;

  constructor(private readonly options: RedisSlotLeasesOptions) {
    this.store = new SlotLeaseStore(options.redis, options.prefix, options.carrierId);
    this.owner = options.owner ?? slotOwnerToken();
    this.intervalMs = Math.max(1, Math.floor(options.ttlMs / RENEWALS_PER_TTL));
  }

  async hold(count: number, listener: SlotListener): Promise<SlotHold> {
    const keeper = new SlotKeeper(this.store, this.owner, count, this.options, this.intervalMs, listener);
    await keeper.start();
    return keeper;
  }
}

class SlotKeeper implements SlotHold {
  /** Held slots → local time (performance.now) the last successful renewal was sent. */
  private readonly confirmed = new Map<number, number>();
  /** Slots being handed back: still renewed until deleted. */
  private readonly handingBack = new Set<number>();
  private tickTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  readonly letGoWithinMs: number;

  constructor(
    private readonly store: SlotLeaseStore,
    private readonly owner: string,
    private readonly count: number,
    private readonly options: RedisSlotLeasesOptions,
    private readonly intervalMs: number,
    private readonly listener: SlotListener,
  ) {
    this.letGoWithinMs = 2 * intervalMs;
  }

  get held(): ReadonlySet<number> {
    return new Set([...this.confirmed.keys()].filter((slot) => !this.handingBack.has(slot)));
  }

  async start(): Promise<void> {
    await this.tick();
    this.watchdog = setInterval(() => this.checkOverdue(), Math.max(1, this.intervalMs / 2));
    this.watchdog.unref();
    this.schedule();
  }

  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.tickTimer);
    clearInterval(this.watchdog);
    await this.ticking;
    const slots = [...this.confirmed.keys()];
    this.confirmed.clear();
    this.handingBack.clear();
    await Promise.all([
      ...slots.map((slot) => this.store.release(slot, this.owner)),
      this.store.leave(this.owner),
    ]).catch((error: unknown) => this.options.onEvent?.({ kind: 'redis-error', error }));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.tickTimer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = null;
        this.schedule();
      });
    }, this.intervalMs);
    this.tickTimer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.renewAll();
      if (this.stopped) return;
      const present = await this.store.present(this.owner, this.options.ttlMs);
      const share = Math.ceil(this.count / Math.max(1, present));
      const held = this.held.size;
      if (held > share) this.handBack(Math.max(...this.held));
      else if (held < share) await this.acquireUpTo(share - held);
    } catch (error) {
      this.options.onEvent?.({ kind: 'redis-error', error });
    }
  }

  private async renewAll(): Promise<void> {
    const slots = [...this.confirmed.keys()];
    const sentAt = performance.now();
    const renewed = await Promise.all(
      slots.map((slot) => this.store.renew(slot, this.owner, this.options.ttlMs)),
    );
    slots.forEach((slot, i) => {
      if (!this.confirmed.has(slot)) return; // let go meanwhile (overdue)
      if (renewed[i]) this.confirmed.set(slot, sentAt);
      else this.lose(slot, 'lost');
    });
  }

  private async acquireUpTo(wanted: number): Promise<void> {
    const holders = await this.store.holders(this.count);
    // Free slots, and slots whose holder died on this machine (taken over, not waited out).
    const free = holders.flatMap((owner, slot) => (owner === null || deadHolder(owner) ? [slot] : []));
    // Start at a random free slot: processes starting together collide less.
    const offset = free.length > 0 ? Math.floor(Math.random() * free.length) : 0;
    const order = [...free.slice(offset), ...free.slice(0, offset)];
    let taken = 0;
    for (const slot of order) {
      if (taken >= wanted || this.stopped) break;
      const sentAt = performance.now();
      const dead = holders[slot];
      const took = dead
        ? await this.store.takeOver(slot, dead, this.owner, this.options.ttlMs)
        : await this.store.acquire(slot, this.owner, this.options.ttlMs);
      if (!took) continue;
      if (this.stopped) {
        await this.store.release(slot, this.owner);
        break;
      }
      taken += 1;
      this.confirmed.set(slot, sentAt);
      this.options.onEvent?.({ kind: 'acquired', slot });
      this.listener.acquired(slot);
    }
  }

  /** Gives `slot` back gracefully: its user closes it, then the lease is deleted. */
  private handBack(slot: number): void {
    this.handingBack.add(slot);
    this.options.onEvent?.({ kind: 'handed-back', slot });
    let timer: NodeJS.Timeout | undefined;
    const closed = Promise.resolve(this.listener.lost(slot)).catch(() => {});
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.letGoWithinMs);
      timer.unref();
    });
    void Promise.race([closed, bound]).then(() => {
      clearTimeout(timer);
      if (!this.handingBack.delete(slot) || !this.confirmed.delete(slot)) return;
      this.store
        .release(slot, this.owner)
        .catch((error: unknown) => this.options.onEvent?.({ kind: 'redis-error', error }));
    });
  }

  /** Local and Redis-free: a slot whose renewal is overdue is let go now. */
  private checkOverdue(): void {
    const now = performance.now();
    for (const [slot, at] of this.confirmed) {
      if (now - at > 2 * this.intervalMs) this.lose(slot, 'overdue');
    }
  }

  private lose(slot: number, kind: 'lost' | 'overdue'): void {
    this.confirmed.delete(slot);
    const wasHandingBack = this.handingBack.delete(slot);
    this.options.onEvent?.({ kind, slot });
    if (!wasHandingBack) void Promise.resolve(this.listener.lost(slot)).catch(() => {});
  }
}
