import type { Logger } from '@maskline/core';
import type { MessageRepository } from '@maskline/storage';

/**
 * Moves messages from accepted to queued once their job exists, in batches: one UPDATE
 * per flush instead of one commit per message. Losing a pending batch (crash) is
 * harmless: the reconciler finds those messages in `accepted` and re-enqueues them,
 * which the job id makes a no-op while the job still exists.
 */
export class QueuedMarker {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly messages: MessageRepository,
    private readonly logger: Logger,
    private readonly maxDelayMs = 20,
    private readonly maxBatch = 500,
  ) {}

  add(messageId: string): void {
    this.pending.push(messageId);
    if (this.pending.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.maxDelayMs);
  }

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing
      .then(() => this.messages.markQueued(batch))
      .then(
        () => {},
        (error: unknown) =>
          this.logger.warn({ err: error, count: batch.length }, 'marking messages queued failed'),
      );
    return this.flushing;
  }
}
