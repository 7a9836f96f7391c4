import { randomUUID } from 'node:crypto';
import { PeriodicTask } from '@maskline/core';
import { LuaScript } from './lua-script.js';
import { DEFAULT_QUEUE_PREFIX } from './queue-names.js';
import type { RedisClient } from './redis-connection.js';

/**
 * Sets the key unless it exists, in one round trip: 1 when this call created it (Redis
 * lost its data since it was last set), 0 when it was there.
 */
const CLAIM_EPOCH = new LuaScript(`if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1`);

/** The sentinel key of one recovery role under a queue prefix, e.g. `ml:maskline-epoch:deliver`. */
export function epochKey(prefix: string | undefined, role: string): string {
  return `${prefix ?? DEFAULT_QUEUE_PREFIX}:maskline-epoch:${role}`;
}

export type RecoveryReason = 'start' | 'redis-lost';

export interface RedisLossWatchSettings {
  connection: RedisClient;
  /** The sentinel key (epochKey): one per kind of work to recover, shared by its replicas. */
  key: string;
  /**
   * Re-enqueues what Redis should hold: called with 'redis-lost' when this process
   * re-created the sentinel (Redis lost its data), with 'start' after recoverAtStart().
   */
  onLoss: (reason: RecoveryReason) => Promise<void>;
  intervalMs?: number;
  /** Hears a failed check or recovery (Redis or the database away); the next tick retries. */
  onError?: (error: unknown) => void;
}

/**
 * Notices promptly and cheaply that Redis lost its data (FLUSHALL, a restart without
 * persistence, a failover to an empty replica): one tiny script call per interval per
 * process, never per message. The sentinel exists as long as Redis keeps its data; the one
 * process whose call finds it missing re-creates it and runs `onLoss`, so several replicas
 * never all recover at once. A failed `onLoss` is retried on the next tick until it
 * succeeds (the claim is kept).
 */
export class RedisLossWatch {
  private readonly schedule: PeriodicTask<boolean>;
  private recoveryOwed: RecoveryReason | null = null;

  constructor(private readonly settings: RedisLossWatchSettings) {
    this.schedule = new PeriodicTask(() => this.tick(), settings.intervalMs ?? 1_000, {
      name: 'redis-loss-watch',
      itemsOf: (lost) => (lost ? 1 : 0),
    });
  }

  start(): void {
    this.schedule.start();
  }

  /**
   * Stops the ticks; waits for a check under way for at most `maxWaitMs` (on a worker
   * connection a command waits through a Redis outage, which must not hold a shutdown).
   */
  async stop(maxWaitMs = 2_000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const capped = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxWaitMs);
      timer.unref?.();
    });
    await Promise.race([this.schedule.stop(), capped]);
    clearTimeout(timer);
  }

  /** One check (and the recovery it calls for); true when a recovery ran. */
  check(): Promise<boolean> {
    return this.schedule.runOnce();
  }

  /**
   * Starts the watch with a recovery owed (`onLoss('start')`, retried each tick until it
   * succeeds): a process starting after a crash re-enqueues what the crash left behind.
   */
  startWithRecovery(): void {
    this.recoveryOwed = 'start';
    this.start();
    void this.check();
  }

  private async tick(): Promise<boolean> {
    try {
      if (await this.claimEpoch()) this.recoveryOwed ??= 'redis-lost';
      const reason = this.recoveryOwed;
      if (reason === null) return false;
      await this.settings.onLoss(reason);
      if (this.recoveryOwed === reason) this.recoveryOwed = null;
      return true;
    } catch (error) {
      this.settings.onError?.(error);
      return false;
    }
  }

  private async claimEpoch(): Promise<boolean> {
    const created = await CLAIM_EPOCH.run(this.settings.connection, [this.settings.key], [randomUUID()]);
    return created === 1;
  }
}
