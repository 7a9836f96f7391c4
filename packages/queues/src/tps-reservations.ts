import { LuaScript } from './lua-script.js';
import type { RedisClient } from './redis-connection.js';

/**
 * GCRA over Redis: the key holds the theoretical arrival time (TAT, ms on Redis's clock)
 * of the next free slot. Reserving `count` slots starts at max(now, TAT) and moves the TAT
 * by count × interval, atomically, so every process of a carrier draws from one schedule.
 * Returns how many ms from now the first reserved slot is.
 */
const RESERVE_SCRIPT = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local count = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, tat)
local nextTat = start + count * interval
redis.call('SET', KEYS[1], nextTat, 'PX', nextTat - now + 1000)
return start - now
`);

/**
 * A carrier's submits-per-second cap across every worker process, in one Redis call per
 * batch: a batch reserves one slot per message it is about to submit and submits each at
 * its slot, one per 1000/tps ms. Slots are evenly spaced, so any one-second span holds at
 * most tps + 1 submits (BullMQ's job limiter can no longer do it: a job is a batch).
 *
 * A slot is used only within half an interval of its time: a process whose event loop
 * stalled past several slots would otherwise fire them all at once when it wakes. A slot
 * missed that way is given up and a new one reserved (one more call, only when late).
 */
export class TpsReservations {
  readonly intervalMs: number;

  constructor(
    private readonly connection: RedisClient,
    private readonly key: string,
    tps: number,
  ) {
    this.intervalMs = Math.ceil(1_000 / tps);
  }

  /** Local times (Date.now() scale) at which each of `count` submits may go. */
  async reserve(count: number): Promise<number[]> {
    if (count <= 0) return [];
    const offset = Number(await RESERVE_SCRIPT.run(this.connection, [this.key], [this.intervalMs, count]));
    const first = Date.now() + offset;
    return Array.from({ length: count }, (_, i) => first + i * this.intervalMs);
  }

  /** Waits for the reserved slot `at`; if woken too late to use it, for a fresh one. */
  async waitFor(at: number): Promise<void> {
    const tolerance = this.intervalMs / 2;
    for (let slot = at; ; ) {
      await waitUntil(slot);
      if (Date.now() - slot <= tolerance) return;
      [slot] = (await this.reserve(1)) as [number];
    }
  }
}

/** Waits until `at` (Date.now() scale); resolves at once for a time already past. */
export function waitUntil(at: number): Promise<void> {
  const ms = at - Date.now();
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
