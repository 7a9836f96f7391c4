import { RedisConnection } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';

/**
 * Defines BullMQ's Lua commands on a shared connection at once, before any traffic runs on
 * it (a local step: ioredis `defineCommand` sends nothing to Redis).
 *
 * BullMQ defines them when its first Queue or Worker on a connection initializes. An
 * auto-pipeline ioredis opened just before holds only the commands defined at its
 * creation: a BullMQ call queued on it then has no method, its callback gets no reply, and
 * ioredis throws `results[i] is not iterable` outside any promise, which ends the process
 * (redis/ioredis#1931). Our connections auto-pipeline, BullMQ shares them with our own
 * calls, and queues are made lazily (one per carrier), so every connection gets the
 * commands when it is created.
 */
export function defineQueueCommands(connection: Redis | Cluster): void {
  const bullmq = new RedisConnection(connection as never, {
    shared: true,
    blocking: false,
    skipWaitingForReady: true,
    // Its version check would send INFO; the queues' own connections still check.
    skipVersionCheck: true,
  });
  // Its start-up and close are of no interest here: only the definitions stay.
  bullmq.on('error', () => {});
  void bullmq.client.catch(() => {});
  void bullmq.close().catch(() => {});
}
