import { type DependencyHealth, type Logger, NO_DEPENDENCY_HEALTH, PeriodicTask } from '@maskline/core';
import type { DeliveryQueues } from '@maskline/queues';
import type { MessageRepository } from '@maskline/storage';

/**
 * Finds messages left in accepted/queued (enqueue failed, Redis lost its data, a crash
 * between commit and enqueue) and enqueues them again. The job id is the message id, so
 * a message whose job still exists is not duplicated, and the delivery worker skips a
 * message that already moved past queued.
 */
export class Reconciler {
  private readonly schedule: PeriodicTask<number>;

  constructor(
    private readonly messages: MessageRepository,
    private readonly queues: DeliveryQueues,
    private readonly logger: Logger,
    private readonly settings: { afterMs: number; intervalMs: number; batch?: number },
    private readonly health: DependencyHealth = NO_DEPENDENCY_HEALTH,
  ) {
    this.schedule = new PeriodicTask(() => this.sweep(), settings.intervalMs);
  }

  start(): void {
    this.schedule.start();
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  /** One sweep; returns how many messages were re-enqueued. */
  runOnce(): Promise<number> {
    return this.schedule.runOnce();
  }

  private async sweep(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const stuck = await this.messages.findStuck(this.settings.afterMs, this.settings.batch ?? 500);
        if (stuck.length === 0) break;
        await this.queues.enqueue(
          stuck.map(({ id, carrierId, tenantId, traceContext }) => ({
            carrierId,
            job: {
              messageId: id,
              tenantId,
              ...(traceContext ? { trace: { traceparent: traceContext } } : {}),
            },
          })),
        );
        await this.messages.touch(stuck.map((s) => s.id));
        total += stuck.length;
        if (stuck.length < (this.settings.batch ?? 500)) break;
      }
      if (total > 0) this.logger.info({ count: total }, 'reconciler re-enqueued messages');
    } catch (error) {
      this.health.logUnlessUnavailable(this.logger, error, {}, 'reconciler sweep failed; will retry');
    }
    return total;
  }
}
