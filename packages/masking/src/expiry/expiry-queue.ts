import { type Logger, PeriodicTask } from '@maskline/core';
import { type ConnectionOptions, type Job, Queue, Worker, type WorkerOptions } from 'bullmq';
import type { ExpiryScheduler, MaskingSettings } from '../sessions/masking-service.js';
import type { MaskingStore } from '../store/masking-store.js';

export const MASKING_EXPIRY_QUEUE = 'masking-expiry';

/** The expiry job carries ids only. */
export interface ExpiryJob {
  sessionId: string;
  tenantId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isExpiryJob(data: unknown): data is ExpiryJob {
  if (typeof data !== 'object' || data === null) return false;
  const keys = Object.keys(data);
  const d = data as Record<string, unknown>;
  return (
    keys.length === 2 &&
    typeof d.sessionId === 'string' &&
    UUID.test(d.sessionId) &&
    typeof d.tenantId === 'string' &&
    UUID.test(d.tenantId)
  );
}

/** Lock and stalled-job settings for the expiry worker. */
export type ExpiryWorkerRecovery = Pick<
  WorkerOptions,
  'lockDuration' | 'stalledInterval' | 'maxStalledCount'
>;

/** Margin past the TTL, so the job never runs a hair before the database's expires_at. */
const EXPIRY_MARGIN_MS = 500;

/** Producer: one delayed job per session, its id derived from the session id. */
export class ExpiryQueue implements ExpiryScheduler {
  readonly queue: Queue<ExpiryJob>;

  constructor(settings: { connection: ConnectionOptions; prefix: string }) {
    this.queue = new Queue<ExpiryJob>(MASKING_EXPIRY_QUEUE, {
      connection: settings.connection,
      prefix: settings.prefix,
    });
    this.queue.on('error', () => {});
  }

  async schedule(job: ExpiryJob, delayMs: number): Promise<void> {
    if (!isExpiryJob(job)) throw new Error('invalid expiry job');
    await this.queue.add(
      'expire',
      { sessionId: job.sessionId, tenantId: job.tenantId },
      {
        jobId: `expire-${job.sessionId}`,
        delay: Math.max(0, delayMs) + EXPIRY_MARGIN_MS,
        attempts: 10,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: { age: 3_600, count: 10_000 },
        removeOnFail: { age: 24 * 3_600, count: 10_000 },
      },
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/**
 * Expiry: the delayed job expires its session on time; the sweeper expires anything the
 * jobs missed (Redis lost, job never scheduled) and re-checks pool watermarks.
 */
export class MaskingExpiry {
  private readonly sweeper: PeriodicTask<number>;
  private worker: Worker<ExpiryJob> | null = null;

  constructor(
    private readonly store: MaskingStore,
    private readonly settings: MaskingSettings,
    private readonly logger: Logger,
    sweepIntervalMs: number,
  ) {
    this.sweeper = new PeriodicTask(() => this.sweep(), sweepIntervalMs, {
      name: 'masking-expiry-sweep',
      itemsOf: (n) => n,
    });
  }

  /** Expires one session if it is due (the job's work); returns whether it did. */
  async expire(sessionId: string): Promise<boolean> {
    const closed = await this.store.expireDue(this.settings.quarantineMs, 1, [sessionId]);
    if (closed.length > 0) this.logger.info({ sessionId }, 'masking session expired');
    return closed.length > 0;
  }

  /** Expires every overdue session (in batches) and checks low watermarks; returns how many expired. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const closed = await this.store.expireDue(this.settings.quarantineMs, 500);
      total += closed.length;
      if (closed.length < 500) break;
    }
    if (total > 0) this.logger.info({ expired: total }, 'masking sweep expired sessions');
    for (const g of await this.store.numbers.watermarkGroups()) {
      await this.store.numbers.checkWatermark(g.tenantId, g.country, g.carrierId, this.settings.lowWatermark);
    }
    return total;
  }

  /**
   * `recovery` carries the app's job lock settings (packages/queues jobRecoveryOptions), so
   * a dead process's expiry jobs resume as fast as its deliver and receipt jobs do.
   */
  startWorker(
    connection: ConnectionOptions,
    prefix: string,
    { concurrency = 4, recovery = {} }: { concurrency?: number; recovery?: ExpiryWorkerRecovery } = {},
  ): Worker<ExpiryJob> {
    const worker = new Worker<ExpiryJob>(
      MASKING_EXPIRY_QUEUE,
      async (job: Job<ExpiryJob>) => {
        if (!isExpiryJob(job.data)) return 'invalid';
        return (await this.expire(job.data.sessionId)) ? 'expired' : 'not_due';
      },
      { connection, prefix, concurrency, ...recovery },
    );
    worker.on('error', (error) => this.logger.warn({ err: error }, 'expiry worker error'));
    this.worker = worker;
    return worker;
  }

  startSweeper(): void {
    this.sweeper.start();
  }

  async stop(): Promise<void> {
    await this.sweeper.stop();
    await this.worker?.close();
  }
}
