import { describeFailure, type Logger } from '@maskline/core';

/**
 * Whether the limiters can reach Redis, as this process sees it: ONE warning when they
 * cannot (request limits are then not enforced, auth failures are counted per process) and
 * ONE info line when they can again, never a line per request.
 */
export class LimiterState {
  private degraded = false;
  private failures = 0;

  constructor(private readonly logger: Logger) {}

  get isDegraded(): boolean {
    return this.degraded;
  }

  failed(error: unknown): void {
    this.failures += 1;
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      { reason: describeFailure(error) },
      'rate limits degraded: Redis unreachable; request limits not enforced, auth failures counted per process',
    );
  }

  succeeded(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.info({ failedChecks: this.failures }, 'rate limits enforced again');
    this.failures = 0;
  }
}
