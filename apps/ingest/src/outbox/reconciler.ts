import { type DependencyHealth, type Logger, NO_DEPENDENCY_HEALTH, PeriodicTask } from '@maskline/core';
import type { DeliveryQueues } from '@maskline/queues';
import type { MessageRepository, PendingMessage } from '@maskline/storage';
import { countRecoveryActions } from '@maskline/telemetry';

export interface ReconcilerSettings {
  /** The periodic pass looks at pending messages created longer ago than this. */
  afterMs: number;
  intervalMs: number;
  /** Rows read (and job ids checked) per page. */
  batch?: number;
}

/** Why a pass runs; logged with what it re-enqueued. */
export type ReconcileReason = 'periodic' | 'start' | 'redis-lost';

/**
 * Finds messages still waiting for a carrier that no job covers any more: their batch job
 * (named on the row) and their own job are missing in Redis (the enqueue failed, Redis
 * lost its data, a crash between commit and enqueue), or ended (failed without the message
 * recording it: the database was away at its last attempt; or completed while the message
 * is still pending), and enqueues them again: under their batch job's id (so a late add
 * of that batch by the ingest is a no-op), or as their own job (see DeliveryQueues.restore).
 *
 * It writes nothing while the backlog is healthy: it pages through pending rows by id
 * (keyset, bounded pages), asks Redis which of their jobs are still live (one pipelined
 * round trip per page, see DeliveryQueues.restore) and adds only the others. The restored
 * job's id is the batch's or the message's, so a job added meanwhile by someone else is
 * not duplicated, and the delivery worker skips a message that already moved past queued.
 *
 * Besides the periodic pass (for old rows only), `recoverAll` re-enqueues every pending
 * message at once: run when the ingest starts (rows a crashed ingest left behind) and when
 * the RedisLossWatch sees Redis come back empty.
 */
export class Reconciler {
  private readonly schedule: PeriodicTask<number>;
  private readonly batch: number;

  constructor(
    private readonly messages: MessageRepository,
    private readonly queues: DeliveryQueues,
    private readonly logger: Logger,
    private readonly settings: ReconcilerSettings,
    private readonly health: DependencyHealth = NO_DEPENDENCY_HEALTH,
  ) {
    this.batch = settings.batch ?? 500;
    this.schedule = new PeriodicTask(() => this.periodic(), settings.intervalMs, {
      name: 'outbox-reconciler',
      itemsOf: (added) => added,
    });
  }

  start(): void {
    this.schedule.start();
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  /** One periodic pass; returns how many messages were re-enqueued. */
  runOnce(): Promise<number> {
    return this.schedule.runOnce();
  }

  /**
   * Every pending message whatever its age, missing jobs re-added; throws when PostgreSQL
   * or Redis fails (the caller retries).
   */
  async recoverAll(reason: Exclude<ReconcileReason, 'periodic'>): Promise<number> {
    return this.pass(0, reason);
  }

  private async periodic(): Promise<number> {
    try {
      return await this.pass(this.settings.afterMs, 'periodic');
    } catch (error) {
      this.health.logUnlessUnavailable(this.logger, error, {}, 'reconciler sweep failed; will retry');
      return 0;
    }
  }

  private async pass(olderThanMs: number, reason: ReconcileReason): Promise<number> {
    let checked = 0;
    let added = 0;
    let afterId: string | null = null;
    for (;;) {
      const page = await this.messages.findPending(olderThanMs, afterId, this.batch);
      if (page.length === 0) break;
      checked += page.length;
      added += await this.enqueueMissing(page);
      afterId = page[page.length - 1]!.id;
      if (page.length < this.batch) break;
    }
    countRecoveryActions('outbox-reconciler', { reenqueued: added }, reason);
    if (added > 0 || reason !== 'periodic') {
      this.logger.info({ reason, checked, count: added }, 'reconciler re-enqueued messages');
    }
    return added;
  }

  private async enqueueMissing(page: readonly PendingMessage[]): Promise<number> {
    const byCarrier = new Map<string, PendingMessage[]>();
    for (const m of page) {
      const rows = byCarrier.get(m.carrierId);
      if (rows) rows.push(m);
      else byCarrier.set(m.carrierId, [m]);
    }
    let restored = 0;
    for (const [carrierId, rows] of byCarrier)
      restored += (await this.queues.restore(carrierId, rows)).length;
    return restored;
  }
}
