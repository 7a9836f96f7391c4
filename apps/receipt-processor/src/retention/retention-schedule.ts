import { type Logger, PeriodicTask } from '@maskline/core';
import type { PurgeReport, RetentionPurger } from '@maskline/storage';

/** Runs the retention purge on an interval (every receipt processor; runs do not conflict). */
export class RetentionSchedule {
  private readonly schedule: PeriodicTask<PurgeReport[]>;

  constructor(
    private readonly purger: Pick<RetentionPurger, 'run'>,
    private readonly logger: Logger,
    intervalMs: number,
  ) {
    this.schedule = new PeriodicTask(() => this.purge(), intervalMs, {
      name: 'retention',
      itemsOf: (reports) =>
        reports.reduce(
          (n, r) =>
            n +
            r.bodiesAnonymised +
            r.messagesDeleted +
            r.receiptsDeleted +
            r.mappingsPurged +
            r.webhookEventsPurged +
            r.sandboxMessagesDeleted,
          0,
        ),
    });
  }

  start(): void {
    this.schedule.start();
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  runOnce(): Promise<PurgeReport[]> {
    return this.schedule.runOnce();
  }

  private async purge(): Promise<PurgeReport[]> {
    try {
      const reports = await this.purger.run();
      for (const report of reports) this.logger.info({ ...report }, 'retention purge');
      return reports;
    } catch (error) {
      this.logger.warn({ err: error }, 'retention purge failed; next interval retries');
      return [];
    }
  }
}
