import type { Logger } from '@maskline/core';

export interface GracefulStopOptions {
  /** The app's name in the log lines ("delivery worker"). */
  name: string;
  logger: Pick<Logger, 'info' | 'error'>;
  /** Longest the drain may take; then the process exits 1 with what was left. */
  deadlineMs: number;
  /** Stops taking work, drains, closes connections. */
  stop: () => Promise<void>;
  /** Injected in tests. */
  exit?: (code: number) => void;
  signals?: NodeJS.EventEmitter;
}

/**
 * SIGTERM / SIGINT: run `stop` once, exit 0 when it finished, or exit 1 when it is still
 * running after `deadlineMs` (an orchestrator kills the process soon after its own grace
 * period anyway; exiting first says so in the log). Whatever was not drained is safe by
 * design: jobs are leased, rows are the system of record (docs/reliability.md).
 * Returns the stop function, for callers that stop for another reason.
 */
export function onStopSignals(options: GracefulStopOptions): (signal: string) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? process;
  let stopping: Promise<void> | null = null;
  const stop = (signal: string): Promise<void> => {
    if (stopping) return stopping;
    options.logger.info({ signal, deadlineMs: options.deadlineMs }, `${options.name} stopping`);
    const deadline = setTimeout(() => {
      options.logger.error(
        { deadlineMs: options.deadlineMs },
        `${options.name} did not stop in time; exiting`,
      );
      exit(1);
    }, options.deadlineMs);
    stopping = options.stop().then(
      () => {
        clearTimeout(deadline);
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        options.logger.error({ err: error }, `${options.name} failed to stop cleanly`);
        exit(1);
      },
    );
    return stopping;
  };
  signals.once('SIGTERM', () => void stop('SIGTERM'));
  signals.once('SIGINT', () => void stop('SIGINT'));
  return stop;
}
