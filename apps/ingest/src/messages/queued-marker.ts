import { Batcher, type DependencyHealth, type Logger, NO_DEPENDENCY_HEALTH } from '@maskline/core';
import type { MessageRepository } from '@maskline/storage';

/**
 * Moves messages from accepted to queued once their job exists, in batches: one UPDATE
 * per flush instead of one commit per message. Nobody waits for it: losing a batch (crash,
 * database blip) is harmless, since the reconciler finds those messages in `accepted` and
 * re-enqueues them, which the job id makes a no-op while the job still exists.
 */
export class QueuedMarker {
  private readonly batches: Batcher<string, void>;

  constructor(
    messages: MessageRepository,
    private readonly logger: Logger,
    private readonly health: DependencyHealth = NO_DEPENDENCY_HEALTH,
    maxWaitMs = 20,
    maxSize = 500,
  ) {
    this.batches = new Batcher(
      async (ids) => {
        await messages.markQueued(ids);
        return ids.map(() => undefined);
      },
      { maxSize, maxWaitMs },
    );
  }

  add(messageId: string): void {
    this.batches.add(messageId).catch((error: unknown) => {
      this.health.logUnlessUnavailable(
        this.logger,
        error,
        { messageId },
        'marking a message queued failed; the reconciler will',
      );
    });
  }

  /** Writes what waits and resolves when every batch has settled (for shutdown). */
  flush(): Promise<void> {
    return this.batches.flush();
  }
}
