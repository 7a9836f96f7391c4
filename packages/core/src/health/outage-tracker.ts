import type { LogFields, Logger } from '../logging/logger.js';

/** What an outage tracker counts, for /ready and the state-change log lines. */
export interface OutageSnapshot {
  dependency: string;
  state: 'up' | 'down';
  /** Failures seen since the process started (requests refused, errors swallowed, ...). */
  failures: number;
  /** How many times the dependency went from up to down. */
  outages: number;
  /** Failures in the current (or last) outage. */
  failuresThisOutage: number;
}

/**
 * The state of one dependency (PostgreSQL, Redis) as this process sees it. Callers report
 * every failure and success they see; the tracker counts them and logs ONE line when the
 * state changes (up -> down, down -> up), never one per failure, and never a stack trace:
 * an outage of a few seconds under load is two log lines, not thousands.
 *
 * A success counts as recovery only `settleMs` after the last failure: at the start of an
 * outage, answers to statements sent before it still arrive, and would otherwise make
 * the state flap.
 */
export class OutageTracker {
  private down = false;
  private downSince = 0;
  private failures = 0;
  private outages = 0;
  private failuresThisOutage = 0;
  private lastFailureAt = 0;

  constructor(
    readonly dependency: string,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly settleMs = 500,
  ) {}

  get isDown(): boolean {
    return this.down;
  }

  /** A failure that says the dependency is unreachable. Logs only when it was up. */
  failed(error: unknown): void {
    this.failures += 1;
    this.lastFailureAt = this.now();
    this.failuresThisOutage = this.down ? this.failuresThisOutage + 1 : 1;
    if (this.down) return;
    this.down = true;
    this.downSince = this.now();
    this.outages += 1;
    this.logger.warn(
      { dependency: this.dependency, reason: describeFailure(error), ...this.counts() },
      `${this.dependency} unavailable`,
    );
  }

  /**
   * An error classified as this dependency's unavailability after the fact (e.g. by the
   * HTTP error handler): marks it down if it was up, but does not count the failure again
   * when the connection monitor already has.
   */
  noteUnavailable(error: unknown): void {
    if (!this.down) this.failed(error);
  }

  /**
   * The dependency answered. Logs only when it was down. `fresh`: a new connection just
   * became ready, which proves recovery at once (no settling).
   */
  succeeded(fresh = false): void {
    if (!this.down) return;
    if (!fresh && this.now() - this.lastFailureAt < this.settleMs) return;
    this.down = false;
    this.logger.info(
      { dependency: this.dependency, downForMs: this.now() - this.downSince, ...this.counts() },
      `${this.dependency} available again`,
    );
  }

  snapshot(): OutageSnapshot {
    return { dependency: this.dependency, state: this.down ? 'down' : 'up', ...this.counts() };
  }

  private counts() {
    return { failures: this.failures, outages: this.outages, failuresThisOutage: this.failuresThisOutage };
  }
}

/**
 * A short, safe description of a connection failure: its code (ECONNREFUSED, 57P01, ...)
 * or error class, never its message or stack (messages can carry hosts, statements, values).
 */
export function describeFailure(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code)) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && /^[A-Za-z0-9_]{1,60}$/.test(name)) return name;
  }
  return 'unknown';
}

/** A dependency's tracker and the test that tells its unavailability from other errors. */
export interface DependencyCheck {
  tracker: OutageTracker;
  /** True when the error means the dependency cannot be reached (not a bad statement). */
  isUnavailable(error: unknown): boolean;
}

/**
 * The dependencies of a process. `unavailableFor(error)` tells whether an error (or one of
 * its causes) means a dependency is down; if so that dependency's tracker is marked down
 * (it logs once per state change; the connection monitors count the failures) and is
 * returned, so the caller answers `service_unavailable` instead of logging the error.
 */
export class DependencyHealth {
  constructor(private readonly checks: readonly DependencyCheck[]) {}

  unavailableFor(error: unknown): OutageTracker | null {
    let current: unknown = error;
    for (let depth = 0; depth < 5 && current != null; depth += 1) {
      for (const check of this.checks) {
        if (check.isUnavailable(current)) {
          check.tracker.noteUnavailable(current);
          return check.tracker;
        }
      }
      current = (current as { cause?: unknown }).cause;
    }
    return null;
  }

  /**
   * For errors a process survives on its own (a failed enqueue the reconciler repairs, a
   * sweep that retries): an outage is counted on its tracker (one log line per state
   * change); anything else is logged here, since it is not a known passing fault.
   */
  logUnlessUnavailable(logger: Logger, error: unknown, fields: LogFields, message: string): void {
    if (this.unavailableFor(error)) return;
    logger.warn({ ...fields, err: error }, message);
  }

  snapshot(): OutageSnapshot[] {
    return this.checks.map((c) => c.tracker.snapshot());
  }
}

/** No dependencies known: nothing is classified as an outage, every error is logged. */
export const NO_DEPENDENCY_HEALTH = new DependencyHealth([]);
